using System.Globalization;
using System.Text;
using Belfry.Core.Constituency;
using Belfry.Core.Events;
using Belfry.Notify.Texts;

namespace Belfry.Notify;

public sealed partial class DigestBuilder
{
    const string TimeFormat = "yyyy-MM-dd HH:mm";

    string RenderBody(Organisation organisation, List<Event> events, IReadOnlyList<DigestGroup> groups, Tlp tlp, string messageId)
    {
        var language = organisation.Language;
        var sb = new StringBuilder();
        var tlpLabel = "TLP:" + tlp.ToLabel();

        sb.Append(tlpLabel).Append("\n\n");
        sb.Append(Fill(DigestTexts.Greeting.Get(language), organisation, tlp, events.Count, language)).Append("\n\n");
        sb.Append(Fill(DigestTexts.Intro.Get(language), organisation, tlp, events.Count, language)).Append('\n');

        var times = events.Select(e => e.TimeSource).OfType<DateTime>().ToList();
        if (times.Count > 0)
        {
            sb.Append(DigestTexts.Period.Get(language)
                .Replace("{from}", times.Min().ToString(TimeFormat, CultureInfo.InvariantCulture), StringComparison.Ordinal)
                .Replace("{to}", times.Max().ToString(TimeFormat, CultureInfo.InvariantCulture), StringComparison.Ordinal))
                .Append('\n');
        }

        var overview = DigestTexts.Overview.Get(language);
        sb.Append('\n').Append(overview).Append('\n').Append('=', overview.Length).Append("\n\n");

        for (var i = 0; i < groups.Count; i++)
        {
            var g = groups[i];
            var topic = Advice.For(g.Type, g.Identifier, g.Taxonomy);
            sb.Append(CultureInfo.InvariantCulture, $"{i + 1}. {topic.Title.Get(language)}");
            if (g.Malware is not null)
            {
                sb.Append(" (").Append(DigestTexts.Malware.Get(language).Replace("{name}", g.Malware, StringComparison.Ordinal)).Append(')');
            }
            sb.Append(" [").Append(g.Type);
            if (g.Identifier is not null && !string.Equals(g.Identifier, g.Type, StringComparison.Ordinal))
            {
                sb.Append(" / ").Append(g.Identifier);
            }
            sb.Append("] - ").Append(DigestTexts.Observations.Format(language, g.Count)).Append('\n');

            sb.Append("   ").Append(DigestTexts.Affected.Get(language)).Append(' ').AppendJoin(", ", g.Addresses);
            if (g.AddressCount > g.Addresses.Count)
            {
                sb.Append(' ').Append(DigestTexts.More.Get(language)
                    .Replace("{n}", (g.AddressCount - g.Addresses.Count).ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal));
            }
            sb.Append('\n');
            sb.Append("   ").Append(DigestTexts.WhatToDo.Get(language)).Append(' ').Append(topic.Text.Get(language)).Append("\n\n");
        }

        var tlpText = tlp switch
        {
            Tlp.Clear => DigestTexts.TlpClear,
            Tlp.Green => DigestTexts.TlpGreen,
            _ => DigestTexts.TlpAmber,
        };
        sb.Append(Fill(tlpText.Get(language), organisation, tlp, events.Count, language)).Append("\n\n");
        sb.Append(Fill(DigestTexts.Closing.Get(language), organisation, tlp, events.Count, language)).Append("\n\n");
        sb.Append(DigestTexts.Regards.Get(language)).Append('\n');
        sb.Append(_options.Signature).Append("\n\n");
        sb.Append("-- \n");
        sb.Append(DigestTexts.Reference.Get(language)
            .Replace("{ref}", messageId, StringComparison.Ordinal)
            .Replace("{id}", organisation.Id, StringComparison.Ordinal)).Append('\n');
        return sb.ToString();
    }

    static string Fill(string template, Organisation organisation, Tlp tlp, int count, Language language) =>
        template
            .Replace("{tlp}", "TLP:" + tlp.ToLabel(), StringComparison.Ordinal)
            .Replace("{problems}", DigestTexts.Problems.Format(language, count), StringComparison.Ordinal)
            .Replace("{org}", organisation.Name, StringComparison.Ordinal);

    /// <summary>How an event's affected asset is shown in the body: address and port, else host name or URL.</summary>
    internal static string DisplayAddress(Event e, string type)
    {
        var url = e.GetText(Fields.SourceUrl);
        // For phishing and malware hosting the URL is the asset to take down, not the (often shared) IP.
        if (url is not null && type is "phishing" or "malware-distribution")
        {
            return Defang(url);
        }
        if (e.SourceIp is { } ip)
        {
            var text = ip.ToString();
            if (e.GetInteger(Fields.SourcePort) is { } port)
            {
                return ip.IsV4 ? $"{text}:{port}" : $"[{text}]:{port}";
            }
            return text;
        }
        if (e.GetText(Fields.SourceFqdn) is { } fqdn)
        {
            return fqdn;
        }
        if (url is not null)
        {
            return Defang(url);
        }
        return e.GetAddress(Fields.DestinationIp)?.ToString() ?? "-";
    }

    /// <summary>
    /// hxxp://example[.]com/path: a live phishing or malware link in the body would get the digest
    /// itself flagged by mail filters, and must not be clickable. The CSV keeps the real URL.
    /// </summary>
    internal static string Defang(string url)
    {
        var s = url.StartsWith("http", StringComparison.OrdinalIgnoreCase) ? "hxxp" + url[4..] : url;
        var start = s.IndexOf("://", StringComparison.Ordinal);
        start = start < 0 ? 0 : start + 3;
        var end = s.IndexOfAny(['/', '?', '#'], start);
        if (end < 0)
        {
            end = s.Length;
        }
        return string.Concat(s.AsSpan(0, start), s[start..end].Replace(".", "[.]", StringComparison.Ordinal), s.AsSpan(end));
    }
}
