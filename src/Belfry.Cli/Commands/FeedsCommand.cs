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
            var schema = registry.Parsers.OfType<ShadowserverParser>().First().Schema;
            foreach (var p in registry.Parsers)
            {
                var note = p is ShadowserverParser ? $" ({schema.Reports.Count} report types)" : string.Empty;
                await Console.Out.WriteLineAsync($"{p.Name,-24} {p.Description}{note}");
            }
            await Console.Out.WriteLineAsync($"Shadowserver schema: {schema.Reports.Count} report types, created {schema.Created ?? "(no date)"}, from {schema.Source}");
            return 0;
        });

        var source = new Argument<string>("source") { Description = "Shadowserver's intelmq.json: a file, or an http(s) URL to download it from" };
        var maxMib = new Option<int>("--max-mib") { Description = "Largest schema accepted from a URL, in MiB", DefaultValueFactory = _ => 16 };
        var timeout = new Option<int>("--timeout") { Description = "Seconds to wait for a download", DefaultValueFactory = _ => 60 };
        var update = new Command("update-schema", "Install a newer Shadowserver report schema into the data folder (validated first; used instead of the built-in facts)") { source, maxMib, timeout };
        update.SetHostAction(async (parse, host, ct) =>
        {
            var src = parse.GetValue(source)!;
            var dest = host.InstalledShadowserverSchema;
            Directory.CreateDirectory(Path.GetDirectoryName(dest)!);
            var staged = dest + ".new";
            try
            {
                if (Uri.TryCreate(src, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps))
                {
                    await SchemaDownload.ToFileAsync(uri, staged, (long)parse.GetValue(maxMib) << 20, TimeSpan.FromSeconds(parse.GetValue(timeout)), ct);
                }
                else
                {
                    File.Copy(src, staged, overwrite: true);
                }
                // Loaded before it replaces the current copy: a broken download never becomes the schema.
                var schema = ShadowserverSchema.Load(staged);
                File.Move(staged, dest, overwrite: true);
                await Console.Out.WriteLineAsync($"Installed {schema.Reports.Count} Shadowserver report types (created {schema.Created ?? "(no date)"}) from {src} into {dest}");
                return 0;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or HttpRequestException or TaskCanceledException or FormatException or Belfry.Feeds.FeedFormatException)
            {
                File.Delete(staged);
                var why = ex is TaskCanceledException && !ct.IsCancellationRequested ? "no answer in time" : ex.Message;
                throw new CliException($"{src}: not a usable Shadowserver schema, the current one is kept: {why}");
            }
        });

        var schemaJson = new Argument<string>("intelmq-json") { Description = "Shadowserver's intelmq.json" };
        var factsOut = new Option<string>("--out") { Description = "Facts file to write", Required = true };
        var compile = new Command("compile-schema", "Compile Shadowserver's intelmq.json into Belfry's own facts form (the file built into Belfry)") { schemaJson, factsOut };
        compile.SetAction(async (parse, ct) =>
        {
            var input = parse.GetValue(schemaJson)!;
            var outPath = parse.GetValue(factsOut)!;
            try
            {
                var text = ShadowserverFacts.Compile(await File.ReadAllBytesAsync(input, ct), Path.GetFileName(input));
                await File.WriteAllTextAsync(outPath, text, new System.Text.UTF8Encoding(false), ct);
                var facts = ShadowserverFacts.Read(text, outPath);
                await Console.Out.WriteLineAsync($"Wrote {facts.Reports.Count} report types ({text.Length / 1024} KiB) to {outPath}");
                return 0;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or Belfry.Feeds.FeedFormatException)
            {
                await Console.Error.WriteLineAsync($"belfry: {input}: {ex.Message}");
                return 1;
            }
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

        return new Command("feeds", "Feed formats, the Shadowserver schema and generated sample feeds") { list, update, compile, generate };
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
