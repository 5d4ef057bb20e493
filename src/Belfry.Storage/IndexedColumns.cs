using Belfry.Core.Events;

namespace Belfry.Storage;

/// <summary>
/// The fields a store keeps in their own indexed columns, found in one pass over an event's
/// fields (first occurrence wins, like <see cref="Event.TryGet"/>). Times are ticks;
/// <see cref="long.MinValue"/> marks a field that is present but not a time.
/// </summary>
public readonly record struct IndexedColumns(long? TimeSource, long? TimeObservation, FieldValue Feed, FieldValue Type)
{
    public static IndexedColumns Of(Event e)
    {
        ArgumentNullException.ThrowIfNull(e);
        long? timeSource = null, timeObservation = null;
        FieldValue feed = default, type = default;
        for (var i = 0; i < e.Count; i++)
        {
            var name = e.NameAt(i);
            // All four names are at least 9 characters and start with t, f or c: skip the rest cheaply.
            if (name.Length < 9 || name[0] is not ('t' or 'f' or 'c'))
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
        }
        return new IndexedColumns(timeSource, timeObservation, feed, type);
    }
}
