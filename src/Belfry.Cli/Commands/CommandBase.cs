using System.CommandLine;
using Belfry.Cli.Hosting;

namespace Belfry.Cli.Commands;

static class CommandBase
{
    /// <summary>Runs a command body with the host open, turning user errors into one clear line.</summary>
    public static void SetHostAction(this Command command, Func<ParseResult, BelfryHost, CancellationToken, Task<int>> body) =>
        command.SetAction(async (parse, ct) =>
        {
            try
            {
                await using var host = await BelfryHost.OpenAsync(parse.GetValue(GlobalOptions.Data), ct);
                return await body(parse, host, ct);
            }
            catch (CliException ex)
            {
                await Console.Error.WriteLineAsync($"belfry: {ex.Message}");
                return 1;
            }
            catch (Belfry.Storage.StorageException ex)
            {
                await Console.Error.WriteLineAsync($"belfry: storage error: {ex.Message}");
                return 2;
            }
        });
}
