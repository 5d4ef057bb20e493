using System.Globalization;
using Belfry.Core.Net;

namespace Belfry.Core.Events;

public enum FieldKind : byte
{
    None,
    Text,
    Integer,
    Float,
    Boolean,
    Address,
    Prefix,
    Time,
}

/// <summary>
/// One typed value of an event field. A struct, so the common kinds (integers, addresses, times)
/// live inline in the event's field array without boxing.
/// </summary>
public readonly struct FieldValue : IEquatable<FieldValue>
{
    readonly UInt128 _bits;
    readonly string? _text;

    FieldValue(FieldKind kind, UInt128 bits, string? text)
    {
        Kind = kind;
        _bits = bits;
        _text = text;
    }

    public FieldKind Kind { get; }

    public static FieldValue Of(string text) => new(FieldKind.Text, 0, text);
    public static FieldValue Of(long value) => new(FieldKind.Integer, (UInt128)(ulong)value, null);
    public static FieldValue Of(double value) => new(FieldKind.Float, (ulong)BitConverter.DoubleToInt64Bits(value), null);
    public static FieldValue Of(bool value) => new(FieldKind.Boolean, value ? 1u : 0u, null);
    public static FieldValue Of(NetAddress value) => new(FieldKind.Address, value.Value, null);
    public static FieldValue Of(NetPrefix value) => new(FieldKind.Prefix, value.Network.Value, value.Length.ToString(CultureInfo.InvariantCulture));

    /// <summary>A UTC instant, kept as ticks.</summary>
    public static FieldValue Of(DateTime utc) => new(FieldKind.Time, (ulong)DateTime.SpecifyKind(utc, DateTimeKind.Utc).Ticks, null);

    public string? Text => Kind == FieldKind.Text ? _text : null;
    public long Integer => Kind == FieldKind.Integer ? (long)(ulong)_bits : 0;
    public double Float => Kind == FieldKind.Float ? BitConverter.Int64BitsToDouble((long)(ulong)_bits) : 0;
    public bool Boolean => Kind == FieldKind.Boolean && _bits != 0;
    public NetAddress Address => new(_bits);
    public NetPrefix Prefix => new(new NetAddress(_bits), int.Parse(_text!, CultureInfo.InvariantCulture));
    public DateTime Time => new((long)(ulong)_bits, DateTimeKind.Utc);

    /// <summary>The value as IntelMQ writes it in text (times as ISO 8601 with +00:00).</summary>
    public override string ToString() => Kind switch
    {
        FieldKind.Text => _text!,
        FieldKind.Integer => Integer.ToString(CultureInfo.InvariantCulture),
        FieldKind.Float => Float.ToString("R", CultureInfo.InvariantCulture),
        FieldKind.Boolean => Boolean ? "true" : "false",
        FieldKind.Address => Address.ToString(),
        FieldKind.Prefix => Prefix.ToString(),
        FieldKind.Time => FormatTime(Time),
        _ => string.Empty,
    };

    public static string FormatTime(DateTime utc) =>
        utc.ToString(utc.Ticks % TimeSpan.TicksPerSecond == 0 ? "yyyy-MM-dd'T'HH:mm:ss'+00:00'" : "yyyy-MM-dd'T'HH:mm:ss.ffffff'+00:00'", CultureInfo.InvariantCulture);

    public bool Equals(FieldValue other) => Kind == other.Kind && _bits == other._bits && string.Equals(_text, other._text, StringComparison.Ordinal);
    public override bool Equals(object? obj) => obj is FieldValue v && Equals(v);
    public override int GetHashCode() => HashCode.Combine(Kind, _bits, _text);
    public static bool operator ==(FieldValue left, FieldValue right) => left.Equals(right);
    public static bool operator !=(FieldValue left, FieldValue right) => !left.Equals(right);
}
