using System.CommandLine;
using System.Text;
using System.Text.Json;
using Belfry.Cli.Hosting;
using Belfry.Core.Events;
using Belfry.Ddos.Attacks;

namespace Belfry.Cli.Commands;

/// <summary>`belfry attacks`: the DDoS attacks `belfry flows listen` detected (DATA/belfry.db).</summary>
static class AttacksCommand
{
    public static Command Create()
    {
        var limit = new Option<int>("--limit") { Description = "At most this many attacks, newest first", DefaultValueFactory = _ => 50 };
        var since = new Option<string?>("--since") { Description = "Only attacks started at or after this time (ISO 8601, UTC if no zone)" };
        var list = new Command("list", "List detected attacks, newest first (--json: a JSON array of attacks)") { limit, since };
        list.SetHostAction(async (parse, host, ct) =>
        {
            if (parse.GetValue(limit) < 1)
            {
                throw new CliException("--limit must be at least 1");
            }
            DateTime? from = null;
            if (parse.GetValue(since) is { } s)
            {
                from = FieldParsers.TryParseTime(s, out var t) ? t : throw new CliException($"--since: '{s}' is not a time (e.g. 2026-11-30 or 2026-11-30T08:00:00Z)");
            }
            var attacks = await host.Store.ListRecentAttacksAsync(parse.GetValue(limit), from, ct);
            if (parse.GetValue(GlobalOptions.Json))
            {
                await Console.Out.WriteLineAsync(ToJson(attacks));
                return 0;
            }
            var names = (await host.Store.GetOrganisationsAsync(ct)).ToDictionary(o => o.Id, o => o.Name, StringComparer.Ordinal);
            await WriteTableAsync(Console.Out, attacks, names);
            return 0;
        });
        return new Command("attacks", "DDoS attacks detected in flow telemetry") { list };
    }

    public static async Task WriteTableAsync(TextWriter output, IReadOnlyList<Attack> attacks, IReadOnlyDictionary<string, string> organisationNames)
    {
        await output.WriteLineAsync($"{"start (UTC)",-19}  {"target",-18} {"vectors",-50} {"peak",16} {"",14}  {"state",-14} organisation");
        foreach (var a in attacks)
        {
            await output.WriteLineAsync(AttackText.Row(a, a.Organisation is { } o ? organisationNames.GetValueOrDefault(o) : null));
        }
        await output.WriteLineAsync($"{attacks.Count} attack(s)");
    }

    static string ToJson(IReadOnlyList<Attack> attacks)
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms))
        {
            w.WriteStartArray();
            foreach (var a in attacks)
            {
                AttackJson.Write(w, a);
            }
            w.WriteEndArray();
        }
        return Encoding.UTF8.GetString(ms.ToArray());
    }
}
