using Belfry.Core.Net;

namespace Belfry.Flows.Templates;

/// <summary>Templates and sampling state of one (exporter, observation domain / source id).</summary>
internal sealed class TemplateSession(NetAddress exporter, uint domain)
{
    readonly Dictionary<ushort, FlowTemplate> _templates = [];
    readonly Dictionary<ulong, uint> _samplers = [];

    public NetAddress Exporter { get; } = exporter;
    public uint Domain { get; } = domain;

    /// <summary>Rate from sampling options without a sampler id; 0 = unknown.</summary>
    public uint DefaultSamplingRate { get; set; }

    /// <summary>IPFIX systemInitTimeMilliseconds (IE 160) from options data, for flowStart/EndSysUpTime; 0 = unknown.</summary>
    public long SystemInitMs { get; set; }

    public int TemplateCount => _templates.Count;

    public bool TryGet(ushort id, out FlowTemplate template) => _templates.TryGetValue(id, out template!);

    public DecodeStatus Add(FlowTemplate template)
    {
        if (_templates.Count >= FlowLimits.MaxTemplatesPerSession && !_templates.ContainsKey(template.Id))
        {
            return DecodeStatus.TooManyTemplates;
        }
        _templates[template.Id] = template;
        return DecodeStatus.Ok;
    }

    /// <summary>True when the template id already holds exactly these field specifiers (a refresh).</summary>
    public bool IsUnchanged(ushort id, bool isOptions, ReadOnlySpan<byte> spec) =>
        _templates.TryGetValue(id, out var t) && t.IsOptions == isOptions && spec.SequenceEqual(t.Spec);

    public void Remove(ushort id) => _templates.Remove(id);

    /// <summary>RFC 7011 §8.1: withdraw all data templates (or all options templates).</summary>
    public void RemoveAll(bool options)
    {
        foreach (var (id, t) in _templates)
        {
            if (t.IsOptions == options)
            {
                _templates.Remove(id);
            }
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
/// Bounded: at most <see cref="FlowLimits.MaxSessions"/> sessions (least recently used evicted) of at most
/// <see cref="FlowLimits.MaxTemplatesPerSession"/> templates each. Single-threaded: one per receive loop.
/// </summary>
public sealed class FlowTemplateCache
{
    readonly record struct SessionKey(NetAddress Exporter, uint Domain);

    readonly Dictionary<SessionKey, LinkedListNode<TemplateSession>> _sessions = [];
    readonly LinkedList<TemplateSession> _lru = new();
    readonly int _maxSessions;

    public FlowTemplateCache()
        : this(FlowLimits.MaxSessions)
    {
    }

    /// <summary>A cache with a smaller session cap (tests, constrained hosts).</summary>
    public FlowTemplateCache(int maxSessions)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxSessions, 1);
        _maxSessions = Math.Min(maxSessions, FlowLimits.MaxSessions);
    }

    /// <summary>Sessions currently held.</summary>
    public int SessionCount => _sessions.Count;

    /// <summary>Templates currently held over all sessions.</summary>
    public int TemplateCount
    {
        get
        {
            var n = 0;
            foreach (var s in _lru)
            {
                n += s.TemplateCount;
            }
            return n;
        }
    }

    /// <summary>Sessions evicted to respect the cap since creation.</summary>
    public long Evictions { get; private set; }

    internal TemplateSession? Find(NetAddress exporter, uint domain)
    {
        if (!_sessions.TryGetValue(new SessionKey(exporter, domain), out var node))
        {
            return null;
        }
        if (node != _lru.First)
        {
            _lru.Remove(node);
            _lru.AddFirst(node);
        }
        return node.Value;
    }

    internal TemplateSession GetOrAdd(NetAddress exporter, uint domain)
    {
        var found = Find(exporter, domain);
        if (found is not null)
        {
            return found;
        }
        if (_sessions.Count >= _maxSessions)
        {
            var last = _lru.Last!;
            _lru.RemoveLast();
            _sessions.Remove(new SessionKey(last.Value.Exporter, last.Value.Domain));
            Evictions++;
        }
        var node = _lru.AddFirst(new TemplateSession(exporter, domain));
        _sessions.Add(new SessionKey(exporter, domain), node);
        return node.Value;
    }

    /// <summary>Forgets every session.</summary>
    public void Clear()
    {
        _sessions.Clear();
        _lru.Clear();
    }
}
