using Belfry.Core.Net;

namespace Belfry.Flows.Templates;

/// <summary>
/// Caps of a <see cref="FlowTemplateCache"/>. Every cap that can be reached by one exporter is
/// per exporter, and reaching it evicts only that exporter's own state, so one exporter (or a
/// spoofer using its address) can never push out another exporter's templates.
/// </summary>
public sealed record FlowTemplateLimits
{
    /// <summary>Exporter addresses with template state; a further exporter's templates are refused (<see cref="DecodeStatus.TooManyExporters"/>), nobody is evicted.</summary>
    public int MaxExporters { get; init; } = FlowLimits.MaxExporters;

    /// <summary>Observation domains (sessions) per exporter; a further one evicts the exporter's least recently used session.</summary>
    public int MaxSessionsPerExporter { get; init; } = FlowLimits.MaxSessionsPerExporter;

    /// <summary>Templates over all of an exporter's sessions; a further one evicts the exporter's least recently used template.</summary>
    public int MaxTemplatesPerExporter { get; init; } = FlowLimits.MaxTemplatesPerExporter;

    /// <summary>Templates per session, at most <see cref="FlowLimits.MaxTemplatesPerSession"/>; a further one evicts the session's least recently used template.</summary>
    public int MaxTemplatesPerSession { get; init; } = FlowLimits.MaxTemplatesPerSession;

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxExporters, 1, nameof(MaxExporters));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxSessionsPerExporter, 1, nameof(MaxSessionsPerExporter));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxTemplatesPerExporter, 1, nameof(MaxTemplatesPerExporter));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxTemplatesPerSession, 1, nameof(MaxTemplatesPerSession));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(MaxTemplatesPerSession, FlowLimits.MaxTemplatesPerSession, nameof(MaxTemplatesPerSession));
    }
}

/// <summary>
/// Template state of one exporter address over all its observation domains. Recency is a counter
/// of this exporter's own uses (not a clock), so evicting "least recently used" compares only this
/// exporter's sessions and templates with each other.
/// </summary>
internal sealed class ExporterTemplates(NetAddress address)
{
    public NetAddress Address { get; } = address;
    public List<TemplateSession> Sessions { get; } = [];
    public int TemplateCount;
    public long Uses;

    public long Stamp() => ++Uses;

    /// <summary>The session holding the exporter's least recently used template (the only ones with templates are candidates).</summary>
    public TemplateSession? OldestTemplateHolder()
    {
        TemplateSession? best = null;
        var bestStamp = long.MaxValue;
        foreach (var s in Sessions)
        {
            var stamp = s.OldestTemplateStamp();
            if (stamp < bestStamp)
            {
                bestStamp = stamp;
                best = s;
            }
        }
        return best;
    }
}

/// <summary>Templates and sampling state of one (exporter, observation domain / source id).</summary>
internal sealed class TemplateSession(ExporterTemplates owner, uint domain, FlowTemplateLimits limits, FlowTemplateCache cache)
{
    readonly Dictionary<ushort, FlowTemplate> _templates = [];
    readonly Dictionary<ulong, uint> _samplers = [];

    public ExporterTemplates Owner { get; } = owner;
    public NetAddress Exporter => Owner.Address;
    public uint Domain { get; } = domain;

    /// <summary>When this session was last used, in its exporter's <see cref="ExporterTemplates.Uses"/>.</summary>
    public long LastUsed;

    /// <summary>Rate from sampling options without a sampler id; 0 = unknown.</summary>
    public uint DefaultSamplingRate { get; set; }

    /// <summary>IPFIX systemInitTimeMilliseconds (IE 160) from options data, for flowStart/EndSysUpTime; 0 = unknown.</summary>
    public long SystemInitMs { get; set; }

    public int TemplateCount => _templates.Count;

    public bool TryGet(ushort id, out FlowTemplate template)
    {
        if (_templates.TryGetValue(id, out template!))
        {
            template.LastUsed = Owner.Stamp();
            return true;
        }
        return false;
    }

    /// <summary>
    /// Adds or replaces a template. A new id beyond the session's or the exporter's cap evicts the
    /// least recently used template of this session or of this exporter (never another exporter's),
    /// and reports <see cref="DecodeStatus.TooManyTemplates"/> so the eviction is counted.
    /// </summary>
    public DecodeStatus Add(FlowTemplate template)
    {
        template.LastUsed = Owner.Stamp();
        if (_templates.ContainsKey(template.Id))
        {
            _templates[template.Id] = template;
            return DecodeStatus.Ok;
        }
        var status = DecodeStatus.Ok;
        if (_templates.Count >= limits.MaxTemplatesPerSession)
        {
            EvictOldestTemplate();
            status = DecodeStatus.TooManyTemplates;
        }
        else if (Owner.TemplateCount >= limits.MaxTemplatesPerExporter)
        {
            Owner.OldestTemplateHolder()?.EvictOldestTemplate();
            status = DecodeStatus.TooManyTemplates;
        }
        _templates.Add(template.Id, template);
        Owner.TemplateCount++;
        return status;
    }

    /// <summary>True when the template id already holds exactly these field specifiers (a refresh, which counts as a use).</summary>
    public bool IsUnchanged(ushort id, bool isOptions, ReadOnlySpan<byte> spec)
    {
        if (_templates.TryGetValue(id, out var t) && t.IsOptions == isOptions && spec.SequenceEqual(t.Spec))
        {
            t.LastUsed = Owner.Stamp();
            return true;
        }
        return false;
    }

    public void Remove(ushort id)
    {
        if (_templates.Remove(id))
        {
            Owner.TemplateCount--;
        }
    }

    /// <summary>RFC 7011 §8.1: withdraw all data templates (or all options templates).</summary>
    public void RemoveAll(bool options)
    {
        foreach (var (id, t) in _templates)
        {
            if (t.IsOptions == options)
            {
                _templates.Remove(id);
                Owner.TemplateCount--;
            }
        }
    }

    public long OldestTemplateStamp()
    {
        var oldest = long.MaxValue;
        foreach (var t in _templates.Values)
        {
            oldest = Math.Min(oldest, t.LastUsed);
        }
        return oldest;
    }

    void EvictOldestTemplate()
    {
        FlowTemplate? oldest = null;
        foreach (var t in _templates.Values)
        {
            if (oldest is null || t.LastUsed < oldest.LastUsed)
            {
                oldest = t;
            }
        }
        if (oldest is not null)
        {
            Remove(oldest.Id);
            cache.TemplateEvictions++;
        }
    }

    public void SetSampler(ulong samplerId, uint rate)
    {
        if (_samplers.Count < FlowLimits.MaxSamplersPerSession || _samplers.ContainsKey(samplerId))
        {
            _samplers[samplerId] = rate;
        }
        LastSamplerRate = rate;
    }

    /// <summary>Rate of the sampler last announced in options data, for records that do not name theirs.</summary>
    public uint LastSamplerRate { get; private set; }

    public uint RateFor(bool hasSamplerId, ulong samplerId)
    {
        if (hasSamplerId && _samplers.TryGetValue(samplerId, out var r))
        {
            return r;
        }
        return DefaultSamplingRate != 0 ? DefaultSamplingRate : LastSamplerRate;
    }
}

/// <summary>
/// NetFlow v9 / IPFIX template state keyed by (exporter address, observation domain), then template id.
/// Bounded per exporter (<see cref="FlowTemplateLimits"/>): sessions and templates beyond an exporter's
/// caps evict that exporter's own least recently used ones; exporters beyond
/// <see cref="FlowTemplateLimits.MaxExporters"/> are refused rather than evicting anyone, so a flood
/// of templates or domains from one address never costs another exporter its templates.
/// Single-threaded: one per receive loop.
/// </summary>
public sealed class FlowTemplateCache
{
    readonly record struct SessionKey(NetAddress Exporter, uint Domain);

    readonly Dictionary<SessionKey, TemplateSession> _sessions = [];
    readonly Dictionary<NetAddress, ExporterTemplates> _exporters = [];
    readonly FlowTemplateLimits _limits;

    public FlowTemplateCache()
        : this(new FlowTemplateLimits())
    {
    }

    public FlowTemplateCache(FlowTemplateLimits limits)
    {
        ArgumentNullException.ThrowIfNull(limits);
        limits.Validate();
        _limits = limits;
    }

    public FlowTemplateLimits Limits => _limits;

    /// <summary>Sessions currently held.</summary>
    public int SessionCount => _sessions.Count;

    /// <summary>Exporters with template state.</summary>
    public int ExporterCount => _exporters.Count;

    /// <summary>Templates currently held over all sessions.</summary>
    public int TemplateCount
    {
        get
        {
            var n = 0;
            foreach (var e in _exporters.Values)
            {
                n += e.TemplateCount;
            }
            return n;
        }
    }

    /// <summary>Templates of <paramref name="exporter"/> over all its sessions (0 when unknown).</summary>
    public int TemplateCountOf(NetAddress exporter) => _exporters.TryGetValue(exporter, out var e) ? e.TemplateCount : 0;

    /// <summary>Sessions evicted (each by a newer session of the same exporter) since creation.</summary>
    public long Evictions { get; private set; }

    /// <summary>Templates evicted (each by a newer template of the same exporter) since creation.</summary>
    public long TemplateEvictions { get; internal set; }

    /// <summary>Template sets refused because <see cref="FlowTemplateLimits.MaxExporters"/> exporters already hold state.</summary>
    public long RefusedExporters { get; private set; }

    internal TemplateSession? Find(NetAddress exporter, uint domain)
    {
        if (!_sessions.TryGetValue(new SessionKey(exporter, domain), out var session))
        {
            return null;
        }
        session.LastUsed = session.Owner.Stamp();
        return session;
    }

    /// <summary>The session, created when needed; null when the exporter is new and the exporter cap is reached.</summary>
    internal TemplateSession? GetOrAdd(NetAddress exporter, uint domain)
    {
        var found = Find(exporter, domain);
        if (found is not null)
        {
            return found;
        }
        if (!_exporters.TryGetValue(exporter, out var owner))
        {
            if (_exporters.Count >= _limits.MaxExporters)
            {
                RefusedExporters++;
                return null;
            }
            owner = new ExporterTemplates(exporter);
            _exporters.Add(exporter, owner);
        }
        if (owner.Sessions.Count >= _limits.MaxSessionsPerExporter)
        {
            var oldest = owner.Sessions[0];
            foreach (var s in owner.Sessions)
            {
                if (s.LastUsed < oldest.LastUsed)
                {
                    oldest = s;
                }
            }
            owner.Sessions.Remove(oldest);
            owner.TemplateCount -= oldest.TemplateCount;
            _sessions.Remove(new SessionKey(exporter, oldest.Domain));
            Evictions++;
        }
        var session = new TemplateSession(owner, domain, _limits, this) { LastUsed = owner.Stamp() };
        owner.Sessions.Add(session);
        _sessions.Add(new SessionKey(exporter, domain), session);
        return session;
    }

    /// <summary>Templates counted session by session (the per-exporter counts must agree; the fuzz tests check it).</summary>
    internal int CountTemplatesInSessions()
    {
        var n = 0;
        foreach (var s in _sessions.Values)
        {
            n += s.TemplateCount;
        }
        return n;
    }

    /// <summary>Forgets every session.</summary>
    public void Clear()
    {
        _sessions.Clear();
        _exporters.Clear();
    }
}
