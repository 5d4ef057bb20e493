using System.Runtime.InteropServices;
using Belfry.Core.Net;
using Belfry.Ddos.Attacks;
using Belfry.Ddos.Counters;

namespace Belfry.Ddos.Detection;

public sealed partial class DdosDetector
{
    const int SweepEverySeconds = 60;

    void Evaluate(CounterWindow main, DateTime now, long second)
    {
        _aggregates.Clear();
        Array.Clear(_groupTotals);
        EvaluateHosts(main, now, second);
        AddOverflow(main);
        EvaluatePrefixes(main, now, second);
        FinishAttacks(_hostAttacks, now, second);
        FinishAttacks(_prefixAttacks, now, second);
        if (second % SweepEverySeconds == 0)
        {
            Sweep(second);
        }
        Publish(main, now);
    }

    void EvaluateHosts(CounterWindow main, DateTime now, long second)
    {
        var confirm = _options.ConfirmSeconds;
        foreach (var (host, c) in main.Hosts)
        {
            var info = _config.Networks[c.Network];
            var group = _config.Groups[info.Group];
            var staticRatio = group.Thresholds.Ratio(c.In, out var staticMetric);
            ref var st = ref HostStateRef(host);
            st.LastSeen = second;
            var baseRatio = st.Baseline.Ratio(c.In, group.HostBaseline, second, out var baseMetric);
            var ratio = Math.Max(staticRatio, baseRatio);
            var elevated = ratio < 1 && group.Carpet.Enabled && st.Baseline.IsWarm(group.HostBaseline) &&
                c.In.Packets >= Math.Max(group.Carpet.ElevatedMinPps, group.Carpet.ElevatedMultiplier * st.Baseline.Packets);

            _hostAttacks.TryGetValue(host, out var attack);
            if (attack is null)
            {
                if (st.Confirm.Observe(ratio, confirm))
                {
                    var byThreshold = staticRatio >= baseRatio;
                    var target = new NetPrefix(host, host.IsV4 ? 32 : 128);
                    attack = NewAttack(AttackTargetKind.Host, target, new PrefixKey(host, (byte)target.Length), info,
                        byThreshold ? DetectionReason.Threshold : DetectionReason.Baseline,
                        byThreshold ? staticMetric : baseMetric, now, st.Confirm.Run);
                    _hostAttacks.Add(host, attack);
                    st.Confirm.Reset();
                }
                else if (ratio < 1)
                {
                    if (group.HostBaseline.Enabled)
                    {
                        st.Baseline.Learn(c.In, group.HostBaseline, second);
                    }
                }
                else
                {
                    st.Baseline.Skip(second);
                }
            }
            if (attack is not null)
            {
                st.Baseline.Skip(second);
                attack.Observe(c.In, ratio, now, second, _options.VectorMinShare, 1);
                if (c.Detail is { } d)
                {
                    attack.AddDetail(d);
                }
            }

            var key = info.AggregateOf(host);
            ref var p = ref CollectionsMarshal.GetValueRefOrAddDefault(_aggregates, key, out _);
            p.Network = c.Network;
            p.Hosts++;
            p.InPackets += c.In.Packets;
            p.InBytes += c.In.Bytes;
            p.OutPackets += c.Out.Packets;
            p.OutBytes += c.Out.Bytes;
            if (attack is null)
            {
                p.Residual.Add(c.In);
                p.ResidualHosts++;
                p.MaxHostPackets = Math.Max(p.MaxHostPackets, c.In.Packets);
            }
            if (elevated)
            {
                p.Elevated++;
            }
            ref var g = ref _groupTotals[info.Group];
            g.Hosts++;
            g.InPackets += c.In.Packets;
            g.InBytes += c.In.Bytes;
            g.InFlows += c.In.Flows;
            g.OutPackets += c.Out.Packets;
            g.OutBytes += c.Out.Bytes;
        }
    }

    void AddOverflow(CounterWindow main)
    {
        foreach (var (key, c) in main.Overflow)
        {
            ref var p = ref CollectionsMarshal.GetValueRefOrAddDefault(_aggregates, key, out _);
            p.Network = c.Network;
            p.Folded = true;
            p.InPackets += c.In.Packets;
            p.InBytes += c.In.Bytes;
            p.OutPackets += c.Out.Packets;
            p.OutBytes += c.Out.Bytes;
            p.Residual.Add(c.In);
            ref var g = ref _groupTotals[_config.Networks[c.Network].Group];
            g.InPackets += c.In.Packets;
            g.InBytes += c.In.Bytes;
            g.InFlows += c.In.Flows;
            g.OutPackets += c.Out.Packets;
            g.OutBytes += c.Out.Bytes;
        }
    }

    void EvaluatePrefixes(CounterWindow main, DateTime now, long second)
    {
        var confirm = _options.ConfirmSeconds;
        foreach (var (key, p) in _aggregates)
        {
            var info = _config.Networks[p.Network];
            var group = _config.Groups[info.Group];
            var carpet = group.Carpet;
            if (!carpet.Enabled)
            {
                continue;
            }
            ref var st = ref PrefixStateRef(key);
            st.LastSeen = second;
            var staticRatio = _config.PrefixThresholds[info.Group].Ratio(p.Residual, out var staticMetric);
            var baseRatio = st.Baseline.Ratio(p.Residual, group.PrefixBaseline, second, out var baseMetric);
            var elevatedRatio = p.Elevated >= carpet.MinElevatedHosts && st.Baseline.IsWarm(group.PrefixBaseline)
                ? p.Residual.Packets / Math.Max(carpet.ElevatedMultiplier * st.Baseline.Packets, group.PrefixBaseline.FloorPps)
                : 0;
            var raw = Math.Max(Math.Max(staticRatio, baseRatio), elevatedRatio);
            var spread = p.Folded || (p.ResidualHosts >= carpet.MinHosts && p.MaxHostPackets <= carpet.MaxHostShare * p.Residual.Packets);

            _prefixAttacks.TryGetValue(key, out var attack);
            if (attack is null)
            {
                if (st.Confirm.Observe(spread ? raw : 0, confirm))
                {
                    var (reason, metric) = staticRatio >= Math.Max(baseRatio, elevatedRatio) ? (DetectionReason.Threshold, staticMetric)
                        : baseRatio >= elevatedRatio ? (DetectionReason.Baseline, baseMetric)
                        : (DetectionReason.ElevatedHosts, "elevated_hosts");
                    attack = NewAttack(AttackTargetKind.Prefix, key.ToPrefix(), key, info, reason, metric, now, st.Confirm.Run);
                    _prefixAttacks.Add(key, attack);
                    st.Confirm.Reset();
                }
                else if (raw < 1)
                {
                    if (group.PrefixBaseline.Enabled)
                    {
                        st.Baseline.Learn(p.Residual, group.PrefixBaseline, second);
                    }
                }
                else
                {
                    st.Baseline.Skip(second);
                }
            }
            if (attack is not null)
            {
                st.Baseline.Skip(second);
                attack.Observe(p.Residual, raw, now, second, _options.VectorMinShare, p.Hosts);
            }
        }
        if (_prefixAttacks.Count > 0)
        {
            foreach (var (host, c) in main.Hosts)
            {
                if (c.Detail is { } d && _prefixAttacks.TryGetValue(_config.Networks[c.Network].AggregateOf(host), out var a))
                {
                    a.AddDetail(d);
                }
            }
        }
    }

    AttackState NewAttack(AttackTargetKind kind, NetPrefix target, PrefixKey key, in NetworkInfo info, DetectionReason reason, string trigger, DateTime now, int runSeconds)
    {
        var start = now - TimeSpan.FromSeconds(Math.Max(1, runSeconds));
        return new AttackState
        {
            Id = AttackId(start, target, kind),
            Kind = kind,
            Target = target,
            Key = key,
            Network = info.Network.Prefix,
            Organisation = info.Network.Organisation ?? _options.OrganisationResolver?.Invoke(target.Network),
            Group = _config.Groups[info.Group].Name,
            Reason = reason,
            Trigger = trigger,
            Start = start,
            Detected = now,
            LastSeen = now,
        };
    }

    /// <summary>Zero seconds for silent targets, then Started / Updated / Ended events.</summary>
    void FinishAttacks<TKey>(Dictionary<TKey, AttackState> attacks, DateTime now, long second)
        where TKey : notnull
    {
        if (attacks.Count == 0)
        {
            return;
        }
        List<TKey>? ended = null;
        foreach (var (key, a) in attacks)
        {
            if (a.ObservedSecond != second)
            {
                a.Observe(default, 0, now, second, _options.VectorMinShare, 0);
            }
            if (a.Sequence < 0)
            {
                Emit(a, AttackEventKind.Started, now, second);
            }
            else if (a.Below >= _options.HoldDownSeconds)
            {
                a.End = now;
                Emit(a, AttackEventKind.Ended, now, second);
                (ended ??= []).Add(key);
            }
            else if (second - a.LastEventSecond >= _options.UpdateIntervalSeconds ||
                a.PeakPps >= a.ReportedPeakPps * _options.PeakUpdateFactor && a.PeakPps > a.ReportedPeakPps ||
                (a.Mask & ~a.ReportedMask) != 0)
            {
                Emit(a, AttackEventKind.Updated, now, second);
            }
        }
        if (ended is not null)
        {
            foreach (var k in ended)
            {
                attacks.Remove(k);
            }
        }
    }

    ref HostState HostStateRef(NetAddress host)
    {
        if (_hosts.Count >= _options.MaxTrackedHosts)
        {
            ref var existing = ref CollectionsMarshal.GetValueRefOrNullRef(_hosts, host);
            if (System.Runtime.CompilerServices.Unsafe.IsNullRef(ref existing))
            {
                // Over the cap: static thresholds only (a 2× attack is still raised in one second).
                _scratchHost = default;
                return ref _scratchHost;
            }
            return ref existing;
        }
        return ref CollectionsMarshal.GetValueRefOrAddDefault(_hosts, host, out _);
    }

    ref PrefixState PrefixStateRef(PrefixKey key)
    {
        if (_prefixes.Count >= _options.MaxTrackedPrefixes)
        {
            ref var existing = ref CollectionsMarshal.GetValueRefOrNullRef(_prefixes, key);
            if (System.Runtime.CompilerServices.Unsafe.IsNullRef(ref existing))
            {
                _scratchPrefix = default;
                return ref _scratchPrefix;
            }
            return ref existing;
        }
        return ref CollectionsMarshal.GetValueRefOrAddDefault(_prefixes, key, out _);
    }

    /// <summary>Drops the state of hosts and prefixes silent for <see cref="DetectorOptions.IdleSeconds"/>.</summary>
    void Sweep(long second)
    {
        var idle = second - _options.IdleSeconds;
        foreach (var (host, st) in _hosts)
        {
            if (st.LastSeen < idle && !_hostAttacks.ContainsKey(host))
            {
                _hosts.Remove(host);
            }
        }
        foreach (var (key, st) in _prefixes)
        {
            if (st.LastSeen < idle && !_prefixAttacks.ContainsKey(key))
            {
                _prefixes.Remove(key);
            }
        }
    }

    void Publish(CounterWindow main, DateTime now)
    {
        if (_hostAttacks.Count + _prefixAttacks.Count > 0 || _active.Count > 0)
        {
            var list = new List<Attack>(_hostAttacks.Count + _prefixAttacks.Count);
            foreach (var a in _hostAttacks.Values)
            {
                list.Add(a.ToAttack(_options.TopCount));
            }
            foreach (var a in _prefixAttacks.Values)
            {
                list.Add(a.ToAttack(_options.TopCount));
            }
            Volatile.Write(ref _active, list);
        }
        var groups = new GroupTraffic[_groupTotals.Length];
        for (var i = 0; i < groups.Length; i++)
        {
            var g = _groupTotals[i];
            groups[i] = new GroupTraffic(_config.Groups[i].Name, g.Hosts, g.InPackets, g.InBytes, g.InFlows, g.OutPackets, g.OutBytes);
        }
        Volatile.Write(ref _lastSecond, new TrafficSnapshot(now, main.Hosts.Count, main.Overflow.Count, _aggregates.Count, groups, TopPrefixes(5)));
    }

    PrefixTraffic[] TopPrefixes(int n)
    {
        var top = new List<(PrefixKey Key, PrefixAggregate P)>(n + 1);
        foreach (var (key, p) in _aggregates)
        {
            if (top.Count == n && p.InPackets <= top[^1].P.InPackets)
            {
                continue;
            }
            var i = top.FindIndex(t => t.P.InPackets < p.InPackets);
            top.Insert(i < 0 ? top.Count : i, (key, p));
            if (top.Count > n)
            {
                top.RemoveAt(n);
            }
        }
        return [.. top.Select(t => new PrefixTraffic(t.Key.ToPrefix(), t.P.Hosts, t.P.InPackets, t.P.InBytes, t.P.OutPackets, t.P.OutBytes))];
    }
}
