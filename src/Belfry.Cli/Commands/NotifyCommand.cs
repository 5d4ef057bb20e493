using System.CommandLine;
using System.Text.Json;
using Belfry.Cli.Hosting;
using Belfry.Notify;

namespace Belfry.Cli.Commands;

static class NotifyCommand
{
    public static Command Create()
    {
        var dryRun = new Option<bool>("--dry-run") { Description = "Build the digests and report them; send and record nothing" };
        var run = new Command("run", "Send every organisation with new events its digest (SMTP, or .eml files in the outbox)") { dryRun };
        run.SetHostAction(async (parse, host, ct) =>
        {
            var service = NotifyFactory.Create(host, parse.GetValue(dryRun));
            var summary = await service.RunOnceAsync(host.Clock.GetUtcNow().UtcDateTime, ct);
            await WriteAsync(summary, parse.GetValue(GlobalOptions.Json));
            return summary.Failed > 0 ? 1 : 0;
        });
        return new Command("notify", "Cyber threat alerts to the organisations") { run };
    }

    public static async Task WriteAsync(NotificationRunSummary summary, bool json)
    {
        foreach (var o in summary.Organisations)
        {
            if (json)
            {
                await Console.Out.WriteLineAsync(JsonSerializer.Serialize(new Dictionary<string, object>
                {
                    ["organisation"] = o.Organisation,
                    ["outcome"] = o.Outcome.ToString().ToLowerInvariant(),
                    ["events"] = o.EventCount,
                    ["recipients"] = string.Join(",", o.Recipients),
                    ["channel"] = o.Channel ?? string.Empty,
                    ["message_id"] = o.MessageId ?? string.Empty,
                    ["error"] = o.Error ?? string.Empty,
                }, Output.CliJson.Default.DictionaryStringObject));
            }
            else
            {
                await Console.Out.WriteLineAsync($"{o.Organisation,-12} {o.Outcome,-12} {o.EventCount,7} event(s) -> {string.Join(", ", o.Recipients)} {(o.Channel is null ? string.Empty : $"[{o.Channel}]")} {o.Error}");
            }
        }
        if (!json)
        {
            await Console.Out.WriteLineAsync($"{summary.Sent} digest(s) sent, {summary.Failed} failed, {summary.Organisations.Count - summary.Sent - summary.Failed} other");
        }
    }
}
