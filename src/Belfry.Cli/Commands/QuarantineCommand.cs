using System.CommandLine;
using System.Text.Json;
using Belfry.Cli.Output;

namespace Belfry.Cli.Commands;

static class QuarantineCommand
{
    public static Command Create()
    {
        var limit = new Option<int>("--limit") { Description = "At most this many records", DefaultValueFactory = _ => 100 };
        var list = new Command("list", "Show rejected input records with feed, file, line and reason") { limit };
        list.SetHostAction(async (parse, host, ct) =>
        {
            var json = parse.GetValue(GlobalOptions.Json);
            var total = await host.Store.CountQuarantineAsync(ct);
            await foreach (var q in host.Store.QueryQuarantineAsync(parse.GetValue(limit), ct))
            {
                if (json)
                {
                    await Console.Out.WriteLineAsync(JsonSerializer.Serialize(q, CliJson.Default.QuarantinedRecord));
                }
                else
                {
                    var raw = q.Raw.Length > 100 ? q.Raw[..100] + "…" : q.Raw;
                    await Console.Out.WriteLineAsync($"{q.File}:{q.Line} [{q.Feed}] {q.Reason}\n    {raw.ReplaceLineEndings(" ")}");
                }
            }
            if (!json)
            {
                await Console.Out.WriteLineAsync($"{total} record(s) in quarantine");
            }
            return 0;
        });
        return new Command("quarantine", "Records that could not be parsed, kept with the reason") { list };
    }
}
