using Dapr.Client;
using Natter.State;
using Natter.Contracts;

namespace Natter.ChatService.Chats;

/// <summary>Keeps chats|{userId} (what listChats answers) in step with membership, inside the membership transaction.</summary>
public sealed class ChatIndexWrites(DaprClient dapr)
{
    public Task<IReadOnlyList<StateTransactionRequest>> JoinAsync(IReadOnlyCollection<string> userIds, ChatSummary chat, CancellationToken ct) =>
        ChangeAsync(userIds, index => index.Chats.Any(c => c.ChatId == chat.ChatId) ? null : new ChatIndex([.. index.Chats, chat]), ct);

    public Task<IReadOnlyList<StateTransactionRequest>> LeaveAsync(IReadOnlyCollection<string> userIds, string chatId, CancellationToken ct) =>
        ChangeAsync(userIds, index => index.Chats.Any(c => c.ChatId == chatId) ? new ChatIndex([.. index.Chats.Where(c => c.ChatId != chatId)]) : null, ct);

    /// <summary>Read every index with its etag and return the guarded upserts; a null change means nothing to write.</summary>
    private async Task<IReadOnlyList<StateTransactionRequest>> ChangeAsync(
        IReadOnlyCollection<string> userIds, Func<ChatIndex, ChatIndex?> change, CancellationToken ct)
    {
        var indexes = await dapr.ReadManyAsync<ChatIndex>([.. userIds.Select(StateKeys.ChatIndex)], ct);
        var missing = indexes.Where(i => i.Value.ETag is null).Select(i => i.Key).ToList();
        if (missing.Count > 0)
        {
            // A user's first index is created create-only outside the transaction (state.redis has no create-only
            // inside one), so two chats created for a new user at once cannot overwrite each other's entry.
            await Task.WhenAll(missing.Select(key => dapr.UpdateAsync<ChatIndex>(key,
                index => index is null ? StateChange<ChatIndex>.Save(ChatIndex.Empty) : StateChange<ChatIndex>.Keep, ct)));
            indexes = await dapr.ReadManyAsync<ChatIndex>([.. userIds.Select(StateKeys.ChatIndex)], ct);
        }
        var operations = new List<StateTransactionRequest>(userIds.Count);
        foreach (var (key, (value, etag)) in indexes)
        {
            if (change(value ?? ChatIndex.Empty) is { } changed)
            {
                operations.Add(NatterState.Upsert(key, changed, etag));
            }
        }
        return operations;
    }
}
