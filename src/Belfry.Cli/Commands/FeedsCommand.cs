using System.CommandLine;
using Belfry.Cli.Demo;
using Belfry.Cli.Hosting;
using Belfry.Core.Net;
using Belfry.Feeds.Shadowserver;

namespace Belfry.Cli.Commands;

static class FeedsCommand
{
    public static Command Create()
    {
        var list = new Command("list", "List the feed formats Belfry reads");
        list.SetHostAction(async (parse, host, ct) =>
        {
            var registry = host.CreateRegistry();
            foreach (var p in registry.Parsers)
            {
                await Console.Out.WriteLineAsync($"{p.Name,-24} {p.Description}");
            }
            if (host.FindShadowserverSchema() is { } path)
            {
                var schema = ShadowserverSchema.Load(path);
                await Console.Out.WriteLineAsync($"Shadowserver schema {path}: {schema.Reports.Count} report types");
            }
            else
            {
                await Console.Out.WriteLineAsync("Shadowserver schema: not found (belfry feeds update-schema FILE)");
            }
            return 0;
        });

        var file = new Argument<string>("file") { Description = "Shadowserver's intelmq.json" };
        var update = new Command("update-schema", "Install a new Shadowserver report schema into the data folder (validated first)") { file };
        update.SetHostAction(async (parse, host, ct) =>
        {
            var src = parse.GetValue(file)!;
            ShadowserverSchema schema;
            try
            {
                schema = ShadowserverSchema.Load(src);
            }
            catch (Exception ex) when (ex is IOException or FormatException or System.Text.Json.JsonException or Belfry.Feeds.FeedFormatException)
            {
                throw new CliException($"{src}: not a usable Shadowserver schema: {ex.Message}");
            }
            var dest = Path.Combine(host.DataFolder, "shadowserver", "intelmq.json");
            Directory.CreateDirectory(Path.GetDirectoryName(dest)!);
            File.Copy(src, dest + ".new", overwrite: true);
            File.Move(dest + ".new", dest, overwrite: true);
            await Console.Out.WriteLineAsync($"Installed {schema.Reports.Count} Shadowserver report types into {dest}");
            return 0;
        });

        var type = new Option<string>("--type") { Description = "Shadowserver report type (e.g. scan_http)", DefaultValueFactory = _ => "scan_http" };
        var rows = new Option<int>("--rows") { Description = "Number of rows", DefaultValueFactory = _ => 1000 };
        var output = new Option<string>("--out") { Description = "Output folder", DefaultValueFactory = _ => "." };
        var seed = new Option<int>("--seed") { DefaultValueFactory = _ => 1 };
        var generate = new Command("generate", "Write a realistic Shadowserver report for the demo constituency (for tests, demos and benchmarks)") { type, rows, output, seed };
        generate.SetHostAction(async (parse, host, ct) =>
        {
            var schema = host.LoadShadowserverSchema();
            var path = await GenerateReportAsync(schema, parse.GetValue(type)!, parse.GetValue(rows), parse.GetValue(output)!, DateOnly.FromDateTime(host.Clock.GetUtcNow().UtcDateTime), parse.GetValue(seed));
            await Console.Out.WriteLineAsync(path);
            return 0;
        });

        return new Command("feeds", "Feed formats and generated sample feeds") { list, update, generate };
    }

    public static IReadOnlyList<NetPrefix> DemoPools() =>
        [.. DemoConstituency.Create().SelectMany(o => o.Prefixes), .. DemoConstituency.ForeignPools];

    public static async Task<string> GenerateReportAsync(ShadowserverSchema schema, string type, int rows, string folder, DateOnly day, int seed)
    {
        if (!schema.TryGetReport(type, out var report))
        {
            throw new CliException($"unknown Shadowserver report type '{type}'");
        }
        Directory.CreateDirectory(folder);
        var generator = new ShadowserverReportGenerator(schema);
        var path = Path.Combine(folder, generator.FileNameFor(report.FileName, day));
        await using var writer = new StreamWriter(path, append: false, new System.Text.UTF8Encoding(false), 1 << 16);
        generator.Write(writer, report.FileName, rows, DemoPools(), day, seed);
        return path;
    }
}
