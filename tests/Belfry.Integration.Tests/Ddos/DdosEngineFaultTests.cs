using System.Net;
using System.Net.Sockets;
using Belfry.Cli.Hosting;
using Belfry.Ddos.Attacks;
using Belfry.Ddos.Detection;
using Belfry.Flows.Generation;
using Belfry.Integration.Tests.Servers;
using Belfry.Mitigation;
using Belfry.Mitigation.GoBgp;
using static Belfry.Integration.Tests.Ddos.DdosRig;

namespace Belfry.Integration.Tests.Ddos;

/// <summary>
/// The DDoS consumer with a gobgpd that is not there (the real gobgp CLI against a closed API port)
/// and a report callback that throws once: every attack is still stored, reported and retried.
/// Before the fix, the first failed gobgp call ended the consumer for good.
/// </summary>
public sealed class DdosEngineFaultTests
{
    [Fact]
    public async Task Engine_GoBgpdDownAndCallbackThrows_ConsumerGoesOnForEveryAttack()
    {
        int closedPort;
        using (var l = new TcpListener(IPAddress.Loopback, 0))
        {
            l.Start();
            closedPort = ((IPEndPoint)l.LocalEndpoint).Port;
        }
        var options = new BgpOptions { GoBgpPath = GoBgpFixture.GoBgp, Api = $"127.0.0.1:{closedPort}", CommandTimeout = TimeSpan.FromSeconds(20) };
        using var mitigator = new GoBgpMitigator(options);
        using var manager = new MitigationManager(mitigator, new MitigationPolicy { HoldTime = TimeSpan.FromSeconds(1) });
        var reports = new List<AttackReport>();
        var errors = new List<string>();
        var throwOnce = true;
        await using var rig = new DdosRig(Options(new TrafficThresholds { Pps = 20_000 }), new DdosEngineOptions
        {
            Mitigation = manager,
            OnReport = r =>
            {
                lock (reports)
                {
                    reports.Add(r);
                }
                if (throwOnce)
                {
                    throwOnce = false;
                    throw new InvalidOperationException("a report sink failed");
                }
                return Task.CompletedTask;
            },
            OnError = e =>
            {
                lock (errors)
                {
                    errors.Add(e);
                }
                return Task.CompletedTask;
            },
        });

        await rig.SecondAsync(FlowExportFormat.Ipfix, 2_000, Pattern("203.0.113.10", 17, 60_000, 1200, sourcePort: 53));
        await rig.Engine.FlushAsync().WaitAsync(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);
        await rig.SecondAsync(FlowExportFormat.Ipfix, 2_000, Pattern("203.0.113.10", 17, 60_000, 1200, sourcePort: 53),
            Pattern("203.0.113.20", 17, 60_000, 1200, sourcePort: 123));
        rig.Ticks(3);
        await rig.Engine.FlushAsync().WaitAsync(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);

        lock (reports)
        {
            var started = reports.Where(r => r.Event.Kind == AttackEventKind.Started).ToList();
            Assert.Equal(2, started.Count);
            Assert.All(started, r => Assert.Contains(r.Mitigation, o => o.Status == MitigationStatus.Failed));
        }
        lock (errors)
        {
            Assert.Contains(errors, e => e.Contains("a report sink failed", StringComparison.Ordinal));
        }
        Assert.Equal(1, rig.Engine.ConsumerErrors);
        Assert.NotEmpty(manager.PendingRetries);
        Assert.True(manager.RouterFailures > 0);
    }
}
