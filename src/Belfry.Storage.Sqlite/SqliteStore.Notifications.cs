using System.Runtime.CompilerServices;
using Belfry.Core.Events;
using Microsoft.Data.Sqlite;

#pragma warning disable VSTHRD103 // Microsoft.Data.Sqlite's async calls are synchronous (see SqliteStore.cs).

namespace Belfry.Storage.Sqlite;

public sealed partial class SqliteStore
{
    public async Task RecordNotificationAsync(NotificationRecord notification, IReadOnlyList<EventId> events, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(notification);
        ArgumentNullException.ThrowIfNull(events);
        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            using var tx = Writer.BeginTransaction();
            using (var cmd = Writer.CreateCommand())
            {
                cmd.Transaction = tx;
                cmd.CommandText = "INSERT INTO notifications (organisation, sent_at, channel, recipient, subject, event_count, message_id) VALUES ($org, $at, $ch, $to, $subj, $n, $mid)";
                cmd.Parameters.AddWithValue("$org", notification.Organisation);
                cmd.Parameters.AddWithValue("$at", notification.SentAt.ToUniversalTime().Ticks);
                cmd.Parameters.AddWithValue("$ch", notification.Channel);
                cmd.Parameters.AddWithValue("$to", notification.Recipient);
                cmd.Parameters.AddWithValue("$subj", notification.Subject);
                cmd.Parameters.AddWithValue("$n", notification.EventCount);
                cmd.Parameters.AddWithValue("$mid", notification.MessageId);
                cmd.ExecuteNonQuery();
            }
            using (var cmd = Writer.CreateCommand())
            {
                cmd.Transaction = tx;
                cmd.CommandText = "UPDATE events SET notified_at = $at WHERE id = $id AND organisation = $org";
                var at = cmd.Parameters.AddWithValue("$at", notification.SentAt.ToUniversalTime().Ticks);
                var org = cmd.Parameters.AddWithValue("$org", notification.Organisation);
                var id = cmd.Parameters.Add("$id", SqliteType.Blob);
                foreach (var e in events)
                {
                    id.Value = e.ToBytes();
                    cmd.ExecuteNonQuery();
                }
            }
            tx.Commit();
        }
        catch (SqliteException ex)
        {
            throw Wrap("record notification", ex);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    public async IAsyncEnumerable<NotificationRecord> QueryNotificationsAsync(string? organisation, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await Task.Yield();
        using var c = Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT organisation, sent_at, channel, recipient, subject, event_count, message_id FROM notifications"
            + (organisation is null ? string.Empty : " WHERE organisation = $org") + " ORDER BY id";
        if (organisation is not null)
        {
            cmd.Parameters.AddWithValue("$org", organisation);
        }
        using var r = cmd.ExecuteReader();
        while (r.Read())
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return new NotificationRecord(r.GetString(0), new DateTime(r.GetInt64(1), DateTimeKind.Utc), r.GetString(2), r.GetString(3), r.GetString(4), r.GetInt32(5), r.GetString(6));
        }
    }
}
