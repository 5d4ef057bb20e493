using System.Globalization;
using System.Text.Json;
using Belfry.Core.Events;

namespace Belfry.Feeds.Tests.Shadowserver;

/// <summary>
/// Every Shadowserver sample against what IntelMQ's own parser made of it
/// (samples/feeds/expected-intelmq/&lt;file&gt;.json). Known IntelMQ mistakes are excluded here and
/// asserted separately in <see cref="ShadowserverIntelMqDifferenceTests"/>.
/// </summary>
public class ShadowserverSampleTests
{
    static readonly string[] s_comparedPrefixes = ["source.", "destination.", "time.source", "classification.", "feed.name", "protocol.", "malware.name", "extra.", "event_description.", "product.", "severity", "status"];

    /// <summary>Fields where Belfry deliberately differs from IntelMQ (see the difference tests).</summary>
    static readonly Dictionary<string, string[]> s_knownDifferences = new()
    {
        ["device_id.csv"] = ["extra.product.vendor", "product.vendor"],
    };

    public static TheoryData<string> Samples()
    {
        var data = new TheoryData<string>();
        foreach (var f in Directory.GetFiles(SharedFiles.Path("samples", "feeds", "shadowserver"), "*.csv").Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetFileName(f));
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Samples))]
    public void Parse_Sample_MatchesIntelMq(string file)
    {
        var text = File.ReadAllText(SharedFiles.Path("samples", "feeds", "shadowserver", file));
        var sink = ShadowserverTestData.Parse(text, file);
        using var expected = JsonDocument.Parse(File.ReadAllText(SharedFiles.Path("samples", "feeds", "expected-intelmq", file + ".json")));
        var events = expected.RootElement.GetProperty("events");

        Assert.Empty(sink.Rejections);
        Assert.Equal(events.GetArrayLength(), sink.Events.Count);
        var skip = s_knownDifferences.GetValueOrDefault(file, []);
        var problems = new List<string>();
        for (var i = 0; i < sink.Events.Count; i++)
        {
            var ours = sink.Events[i];
            var theirs = events[i];
            foreach (var p in theirs.EnumerateObject())
            {
                if (!Compared(p.Name) || skip.Contains(p.Name))
                {
                    continue;
                }
                if (!ours.TryGet(p.Name, out var v))
                {
                    problems.Add($"event {i}: missing {p.Name} = {p.Value}");
                }
                else if (!SameValue(v, p.Value))
                {
                    problems.Add($"event {i}: {p.Name} = {v} ({v.Kind}), IntelMQ {p.Value} ({p.Value.ValueKind})");
                }
            }
            foreach (var (name, value) in ours.Items)
            {
                if (Compared(name) && !skip.Contains(name) && !theirs.TryGetProperty(name, out _))
                {
                    problems.Add($"event {i}: extra field {name} = {value}");
                }
            }
        }
        Assert.True(problems.Count == 0, string.Join('\n', problems));
    }

    static bool Compared(string name)
    {
        foreach (var p in s_comparedPrefixes)
        {
            if (name.StartsWith(p, StringComparison.Ordinal))
            {
                return true;
            }
        }
        return false;
    }

    static bool SameValue(FieldValue ours, JsonElement theirs) => theirs.ValueKind switch
    {
        JsonValueKind.Number => ours.Kind is FieldKind.Integer or FieldKind.Float &&
            Math.Abs(double.Parse(ours.ToString(), CultureInfo.InvariantCulture) - theirs.GetDouble()) < 1e-9 &&
            (ours.Kind == FieldKind.Float) == theirs.GetRawText().Contains('.', StringComparison.Ordinal),
        JsonValueKind.True => ours.Kind == FieldKind.Boolean && ours.Boolean,
        JsonValueKind.False => ours.Kind == FieldKind.Boolean && !ours.Boolean,
        JsonValueKind.String => ours.Kind is not (FieldKind.Integer or FieldKind.Float or FieldKind.Boolean) && ours.ToString() == theirs.GetString(),
        _ => false,
    };
}
