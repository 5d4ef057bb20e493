using System.CommandLine;
using Belfry.Cli.Commands;
using Belfry.Cli.Hosting;

namespace Belfry.Cli;

/// <summary>The `belfry` command: one program, one subcommand per job. Hosts only wire modules together.</summary>
public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        var root = BuildRoot();
        try
        {
            return await root.Parse(args).InvokeAsync();
        }
        catch (CliException ex)
        {
            await Console.Error.WriteLineAsync($"belfry: {ex.Message}");
            return 1;
        }
    }

    public static RootCommand BuildRoot()
    {
        var root = new RootCommand("Belfry: an open national cyber-defence platform. Security feeds to cyber threat alerts for every organisation.");
        root.Options.Add(GlobalOptions.Data);
        root.Options.Add(GlobalOptions.Json);
        root.Subcommands.Add(DemoCommand.Create());
        root.Subcommands.Add(IngestCommand.Create());
        root.Subcommands.Add(EventsCommand.Create());
        root.Subcommands.Add(OrgsCommand.Create());
        root.Subcommands.Add(QuarantineCommand.Create());
        root.Subcommands.Add(NotifyCommand.Create());
        root.Subcommands.Add(FeedsCommand.Create());
        root.Subcommands.Add(BenchCommand.Create());
        root.Subcommands.Add(UpCommand.Create());
        root.Subcommands.Add(FlowsCommand.Create());
        root.Subcommands.Add(AttacksCommand.Create());
        return root;
    }
}

static class GlobalOptions
{
    public static readonly Option<string?> Data = new("--data")
    {
        Description = $"Data folder (default: ${BelfryHost.DataEnvironmentVariable} or ./{BelfryHost.DefaultDataFolder})",
        Recursive = true,
    };

    public static readonly Option<bool> Json = new("--json")
    {
        Description = "Machine-readable output (JSON) instead of text",
        Recursive = true,
    };
}
