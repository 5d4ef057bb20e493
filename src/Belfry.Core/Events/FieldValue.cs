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
/// live inline in the event's field array without boxing. A text value is either a whole string
/// or a slice of a longer one (<see cref="OfSlice"/>: a parser's column inside <see cref="Event.Raw"/>),
/// which <see cref="TextSpan"/> reads without allocating and <see cref="Text"/> materializes.
/// </summary>
public readonly struct FieldValue : IEquatable<FieldValue>
{
    // Two ulongs rather than one UInt128: UInt128 is 16-byte aligned, which would pad this
    // struct to 48 bytes; events hold ~30 of these, so 32 bytes each matters at 1M events/s.
    readonly ulong _lo;
    readonly ulong _hi;
    readonly string? _text;

    FieldValue(FieldKind kind, UInt128 bits, string? text)
    {
        Kind = kind;
        _lo = (ulong)bits;
        _hi = (ulong)(bits >> 64);
        _text = text;
    }

    UInt128 Bits => new(_hi, _lo);

    // A Text value is a slice when _hi is SliceTag; _lo then holds the start (low 32 bits) and length.
    const ulong SliceTag = 1;

    public FieldKind Kind { get; }

    public static FieldValue Of(string text) => new(FieldKind.Text, 0, text);

    /// <summary>
    /// A text value that is <paramref name="length"/> characters of <paramref name="source"/> from
    /// <paramref name="start"/>, without copying them: the string is made only if <see cref="Text"/>
    /// or <see cref="ToString"/> is read.
    /// </summary>
    public static FieldValue OfSlice(string source, int start, int length)
    {
        ArgumentNullException.ThrowIfNull(source);
        if ((ulong)(uint)start + (uint)length > (uint)source.Length)
        {
            ThrowSliceOutOfRange();
        }
        return start == 0 && length == source.Length
            ? new(FieldKind.Text, 0, source)
            : new(FieldKind.Text, new UInt128(SliceTag, (uint)start | ((ulong)(uint)length << 32)), source);
    }

    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    static void ThrowSliceOutOfRange() => throw new ArgumentOutOfRangeException("length", "The slice is not inside the source string.");
    public static FieldValue Of(long value) => new(FieldKind.Integer, (UInt128)(ulong)value, null);
    public static FieldValue Of(double value) => new(FieldKind.Float, (ulong)BitConverter.DoubleToInt64Bits(value), null);
    public static FieldValue Of(bool value) => new(FieldKind.Boolean, value ? 1u : 0u, null);
    public static FieldValue Of(NetAddress value) => new(FieldKind.Address, value.Value, null);
    public static FieldValue Of(NetPrefix value) => new(FieldKind.Prefix, value.Network.Value, value.Length.ToString(CultureInfo.InvariantCulture));

    /// <summary>A UTC instant, kept as ticks.</summary>
    public static FieldValue Of(DateTime utc) => new(FieldKind.Time, (ulong)DateTime.SpecifyKind(utc, DateTimeKind.Utc).Ticks, null);

    /// <summary>The text of a Text value (null for other kinds); a slice's string is made on each read.</summary>
    public string? Text => Kind != FieldKind.Text ? null : _hi == SliceTag ? _text!.Substring((int)(uint)_lo, (int)(_lo >> 32)) : _text;

    /// <summary>The text of a Text value without allocating (empty for other kinds). Writers (storage, JSON) use this.</summary>
    public ReadOnlySpan<char> TextSpan => Kind != FieldKind.Text ? default : _hi == SliceTag ? _text.AsSpan((int)(uint)_lo, (int)(_lo >> 32)) : _text.AsSpan();
    /// <summary>
    /// Whether both are text values over the same characters of the same string: then their texts are
    /// equal, known without comparing them (an expert caching what it computed from a file's constants).
    /// </summary>
    public bool IsSameTextAs(in FieldValue other) =>
        Kind == FieldKind.Text && other.Kind == FieldKind.Text && ReferenceEquals(_text, other._text) && _lo == other._lo && _hi == other._hi;

    public long Integer => Kind == FieldKind.Integer ? (long)_lo : 0;
    public double Float => Kind == FieldKind.Float ? BitConverter.Int64BitsToDouble((long)_lo) : 0;
    public bool Boolean => Kind == FieldKind.Boolean && _lo != 0;
    public NetAddress Address => new(Bits);
    public NetPrefix Prefix => new(new NetAddress(Bits), int.Parse(_text!, CultureInfo.InvariantCulture));
    public DateTime Time => new((long)_lo, DateTimeKind.Utc);

    /// <summary>The value as IntelMQ writes it in text (times as ISO 8601 with +00:00).</summary>
    public override string ToString() => Kind switch
    {
        FieldKind.Text => Text!,
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

    /// <summary>Same kind and value; text values compare by their characters, sliced or not.</summary>
    public bool Equals(FieldValue other) => Kind == other.Kind && (Kind == FieldKind.Text
        ? (_hi | other._hi) == 0 ? string.Equals(_text, other._text, StringComparison.Ordinal) : TextSpan.SequenceEqual(other.TextSpan)
        : _lo == other._lo && _hi == other._hi && string.Equals(_text, other._text, StringComparison.Ordinal));

    public override bool Equals(object? obj) => obj is FieldValue v && Equals(v);

    public override int GetHashCode() => Kind == FieldKind.Text
        ? HashCode.Combine(Kind, string.GetHashCode(TextSpan, StringComparison.Ordinal))
        : HashCode.Combine(Kind, _lo, _hi, _text);
    public static bool operator ==(FieldValue left, FieldValue right) => left.Equals(right);
    public static bool operator !=(FieldValue left, FieldValue right) => !left.Equals(right);
}
