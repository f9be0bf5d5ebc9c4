using System.Collections.Concurrent;
using System.Collections.Immutable;

namespace Natter.MediaService.Tests.Infrastructure;

/// <summary>
/// The chats' current members, as the ChatService actors would answer them: the functional host has no chat service,
/// so the tests set membership here (a send records the chat's members, a removal takes one out).
/// </summary>
public sealed class TestChatMembership : Natter.MediaService.Attachments.IChatMembership
{
    private readonly ConcurrentDictionary<string, ImmutableHashSet<string>> _members = new(StringComparer.Ordinal);

    /// <summary>How many membership questions MediaService asked: the uploader's own reads must not need one.</summary>
    public int Questions => _questions;

    private int _questions;

    public void Join(string chatId, IEnumerable<string> userIds) =>
        _members.AddOrUpdate(chatId, _ => [.. userIds], (_, current) => current.Union(userIds));

    public void Remove(string chatId, string userId) =>
        _members.AddOrUpdate(chatId, _ => [], (_, current) => current.Remove(userId));

    public Task<bool> IsMemberAsync(string chatId, string userId, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _questions);
        return Task.FromResult(_members.TryGetValue(chatId, out var members) && members.Contains(userId));
    }
}
