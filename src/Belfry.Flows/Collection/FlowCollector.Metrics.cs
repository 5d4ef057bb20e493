using System.Diagnostics.Metrics;

namespace Belfry.Flows.Collection;

public sealed partial class FlowCollector
{
    // Observable instruments: read from the loops' counters when a listener collects, never per packet.
    void CreateInstruments()
    {
        _meter.CreateObservableCounter("belfry.flows.collector.datagrams", () => PerExporter(e => e.Datagrams), "{datagram}", "UDP datagrams received, per exporter");
        _meter.CreateObservableCounter("belfry.flows.collector.records", () => PerExporter(e => e.Records), "{record}", "Flow records and flow samples decoded, per exporter");
        _meter.CreateObservableCounter("belfry.flows.collector.bytes", () => PerExporter(e => e.Bytes), "By", "UDP payload bytes received, per exporter");
        _meter.CreateObservableCounter("belfry.flows.collector.decode_errors", DecodeErrorMeasurements, "{datagram}", "Datagrams with a decoding problem, per exporter and reason");
        _meter.CreateObservableCounter("belfry.flows.collector.refused", RefusedMeasurements, "{datagram}", "Datagrams from sources that are not allowed exporters (ignored), per source");
        _meter.CreateObservableCounter("belfry.flows.collector.sampling_capped", () => PerExporter(e => e.SamplingCapped), "{record}", "Records that claimed a sampling rate above the exporter's bound, passed on unscaled, per exporter");
        _meter.CreateObservableCounter("belfry.flows.collector.processing_errors", ProcessingErrorMeasurements, "{datagram}", "Datagrams during which a decoder or consumer threw (the loop went on), per stage");
        _meter.CreateObservableCounter("belfry.flows.collector.socket_errors", () => SocketErrors, "{error}", "Failed receive calls");
        _meter.CreateObservableGauge("belfry.flows.collector.exporters", () => Snapshot().Exporters.Count, "{exporter}", "Exporters tracked (the \"other\" bucket counts as one)");
    }

    IEnumerable<Measurement<long>> PerExporter(Func<ExporterStats, long> value)
    {
        foreach (var e in Snapshot().Exporters)
        {
            yield return new Measurement<long>(value(e), new KeyValuePair<string, object?>("exporter", e.Name));
        }
    }

    IEnumerable<Measurement<long>> RefusedMeasurements()
    {
        foreach (var e in Snapshot().Refused)
        {
            yield return new Measurement<long>(e.Datagrams, new KeyValuePair<string, object?>("exporter", e.Name));
        }
    }

    IEnumerable<Measurement<long>> ProcessingErrorMeasurements()
    {
        yield return new Measurement<long>(ConsumerErrors, new KeyValuePair<string, object?>("stage", "consumer"));
        yield return new Measurement<long>(DecoderErrors, new KeyValuePair<string, object?>("stage", "decoder"));
    }

    IEnumerable<Measurement<long>> DecodeErrorMeasurements()
    {
        foreach (var e in Snapshot().Exporters)
        {
            for (var s = DecodeStatus.Ok + 1; (int)s < DecodeStatuses.Count; s++)
            {
                var n = e.DecodeErrors(s);
                if (n != 0)
                {
                    yield return new Measurement<long>(n, new KeyValuePair<string, object?>("exporter", e.Name), new KeyValuePair<string, object?>("reason", s.ToString()));
                }
            }
        }
    }
}
