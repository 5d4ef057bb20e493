using Microsoft.Extensions.Logging;

namespace Belfry.Flows.Collection;

static partial class Log
{
    const int Base = 5000;

    [LoggerMessage(EventId = Base + 1, Level = LogLevel.Error, Message = "Flow receive loop {Loop} ({Kind} {EndPoint}): the {Stage} threw on a datagram from {Exporter}; the datagram is dropped and the loop goes on ({Suppressed} similar errors not logged since the last report)")]
    public static partial void ProcessingFailed(ILogger logger, Exception exception, int loop, FlowListenerKind kind, System.Net.IPEndPoint endPoint, string stage, string exporter, long suppressed);

    [LoggerMessage(EventId = Base + 2, Level = LogLevel.Warning, Message = "Flow receive loop {Loop} ({Kind} {EndPoint}): receive failed; retrying after {DelayMs} ms")]
    public static partial void ReceiveFailed(ILogger logger, Exception exception, int loop, FlowListenerKind kind, System.Net.IPEndPoint endPoint, int delayMs);

    [LoggerMessage(EventId = Base + 3, Level = LogLevel.Warning, Message = "Flow datagrams from {Exporter}, which is not an allowed exporter, are counted and ignored (FlowCollectorOptions.AllowedExporters; belfry.json flows.exporters)")]
    public static partial void RefusedExporter(ILogger logger, string exporter);

    [LoggerMessage(EventId = Base + 4, Level = LogLevel.Warning, Message = "Flow records from {Exporter} claim sampling rate 1:{Rate}, above the bound 1:{Max}: counted and taken unscaled")]
    public static partial void SamplingCapped(ILogger logger, string exporter, uint rate, uint max);
}
