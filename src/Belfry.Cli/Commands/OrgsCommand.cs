using System.CommandLine;
using System.Text.Json;
using Belfry.Cli.Hosting;
using Belfry.Core.Constituency;

namespace Belfry.Cli.Commands;

static class OrgsCommand
{
    public static Command Create()
    {
        var file = new Argument<string>("file") { Description = "CSV or JSON file of organisations" };
        var import = new Command("import", "Import (add or update) organisations from CSV or JSON; bad rows are listed and skipped") { file };
        import.SetHostAction(async (parse, host, ct) =>
        {
            var path = parse.GetValue(file)!;
            var (orgs, errors) = Read(path);
            await host.Store.UpsertOrganisationsAsync(orgs, "belfry orgs import " + Environment.UserName, ct);
            foreach (var e in errors)
            {
                await Console.Error.WriteLineAsync($"{path}:{e.Line}: {e.Reason}");
            }
            await Console.Out.WriteLineAsync(parse.GetValue(GlobalOptions.Json)
                ? $"{{\"imported\":{orgs.Count},\"rejected\":{errors.Count}}}"
                : $"Imported {orgs.Count} organisation(s); rejected {errors.Count}.");
            return errors.Count > 0 && orgs.Count == 0 ? 1 : 0;
        });

        var list = new Command("list", "List the registered organisations");
        list.SetHostAction(async (parse, host, ct) =>
        {
            var orgs = await host.Store.GetOrganisationsAsync(ct);
            if (parse.GetValue(GlobalOptions.Json))
            {
                await Console.Out.WriteLineAsync(JsonSerializer.Serialize(orgs.Select(OrganisationJson.ToDto).ToList(), OrganisationJsonContext.Default.ListOrganisationDto));
                return 0;
            }
            await Console.Out.WriteLineAsync($"{"id",-12} {"name",-40} {"sector",-24} {"class",-9} lang prefixes asns domains");
            foreach (var o in orgs)
            {
                await Console.Out.WriteLineAsync($"{o.Id,-12} {Clip(o.Name, 40),-40} {Clip(o.Sector, 24),-24} {o.EntityClass.ToString().ToLowerInvariant(),-9} {o.Language.Code(),-4} {o.Prefixes.Count,8} {o.Asns.Count,4} {o.Domains.Count,7}");
            }
            await Console.Out.WriteLineAsync($"{orgs.Count} organisation(s)");
            return 0;
        });

        var format = new Option<string>("--format") { Description = "csv or json", DefaultValueFactory = _ => "csv" };
        var export = new Command("export", "Write the constituency as CSV or JSON to standard output") { format };
        export.SetHostAction(async (parse, host, ct) =>
        {
            var orgs = await host.Store.GetOrganisationsAsync(ct);
            switch (parse.GetValue(format))
            {
                case "json":
                    await Console.Out.WriteLineAsync(JsonSerializer.Serialize(orgs.Select(OrganisationJson.ToDto).ToList(), OrganisationJsonContext.Default.ListOrganisationDto));
                    break;
                case "csv":
                    OrganisationCsv.Write(Console.Out, orgs);
                    break;
                default:
                    throw new CliException($"unknown format '{parse.GetValue(format)}' (csv, json)");
            }
            return 0;
        });

        return new Command("orgs", "The constituency: organisations, their contacts and what they own") { import, list, export };
    }

    static string Clip(string s, int n) => s.Length <= n ? s : s[..(n - 1)] + "…";

    public static (List<Organisation> Orgs, List<OrganisationCsv.RowError> Errors) Read(string path)
    {
        if (!File.Exists(path))
        {
            throw new CliException($"{path}: no such file");
        }
        var text = File.ReadAllText(path);
        if (text.TrimStart().StartsWith('['))
        {
            List<OrganisationJson.OrganisationDto>? dtos;
            try
            {
                dtos = JsonSerializer.Deserialize(text, OrganisationJsonContext.Default.ListOrganisationDto);
            }
            catch (JsonException ex)
            {
                throw new CliException($"{path}: not valid organisation JSON: {ex.Message}");
            }
            var orgs = new List<Organisation>();
            var errors = new List<OrganisationCsv.RowError>();
            for (var i = 0; i < (dtos?.Count ?? 0); i++)
            {
                if (OrganisationJson.TryFromDto(dtos![i], out var o, out var errs))
                {
                    orgs.Add(o);
                }
                else
                {
                    errors.Add(new(i + 1, dtos[i].Id ?? string.Empty, $"entry {i + 1}: " + string.Join("; ", errs)));
                }
            }
            return (orgs, errors);
        }
        try
        {
            using var reader = new StringReader(text);
            return OrganisationCsv.Read(reader);
        }
        catch (FormatException ex)
        {
            throw new CliException($"{path}: {ex.Message}");
        }
    }
}
