using Belfry.Core.Events;

namespace Belfry.Storage;

/// <summary>
/// The fields a store keeps in their own indexed columns, found in one pass over an event's
/// fields (first occurrence wins, like <see cref="Event.TryGet"/>). Times are ticks;
/// <see cref="long.MinValue"/> marks a field that is present but not a time. The source address
/// and AS number are indexed only when they are of their kind (an address, an integer).
/// </summary>
public readonly record struct IndexedColumns(long? TimeSource, long? TimeObservation, FieldValue Feed, FieldValue Type, FieldValue SourceIp, FieldValue SourceAsn)
{
    public static IndexedColumns Of(Event e)
    {
        ArgumentNullException.ThrowIfNull(e);
        long? timeSource = null, timeObservation = null;
        FieldValue feed = default, type = default, sourceIp = default, sourceAsn = default;
        for (var i = 0; i < e.Count; i++)
        {
            var name = e.NameAt(i);
            // All six names are 9 to 19 characters and start with t, f, c or s: skip the rest cheaply.
            if (name.Length is < 9 or > 19 || name[0] is not ('t' or 'f' or 'c' or 's'))
            {
                continue;
            }
            if (timeSource is null && name == Fields.TimeSource)
            {
                var v = e.ValueAt(i);
                timeSource = v.Kind == FieldKind.Time ? v.Time.Ticks : long.MinValue;
            }
            else if (timeObservation is null && name == Fields.TimeObservation)
            {
                var v = e.ValueAt(i);
                timeObservation = v.Kind == FieldKind.Time ? v.Time.Ticks : long.MinValue;
            }
            else if (feed.Kind == FieldKind.None && name == Fields.FeedName)
            {
                feed = e.ValueAt(i);
            }
            else if (type.Kind == FieldKind.None && name == Fields.ClassificationType)
            {
                type = e.ValueAt(i);
            }
            else if (sourceIp.Kind == FieldKind.None && name == Fields.SourceIp)
            {
                sourceIp = e.ValueAt(i);
            }
            else if (sourceAsn.Kind == FieldKind.None && name == Fields.SourceAsn)
            {
                sourceAsn = e.ValueAt(i);
            }
        }
        return new IndexedColumns(timeSource, timeObservation, feed, type, sourceIp, sourceAsn);
    }
}
