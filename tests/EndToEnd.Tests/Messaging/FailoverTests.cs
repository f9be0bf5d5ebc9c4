using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.DependencyInjection;
using Natter.Client;
using Natter.Contracts;
using static Natter.EndToEnd.Tests.Messaging.MessagingHarness;

namespace Natter.EndToEnd.Tests.Messaging;

internal static class ResourceControl
{
    /// <summary>
    /// Kills a resource's process tree with SIGKILL: a crash, not a graceful stop, so nothing gets to clean up.
    /// (Aspire's stop command also failed here for projects launched through `dotnet run`.)
    /// </summary>
    public static async Task StopAsync(NatterAppFixture fixture, string resource)
    {
        var processId = ProcessId(fixture, resource);
        using var process = System.Diagnostics.Process.GetProcessById(processId);
        process.Kill(entireProcessTree: true);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(cts.Token);
    }

    /// <summary>
    /// Sends SIGTERM, as Kubernetes does at the start of a rolling update, and returns the process so the caller can wait
    /// for its exit. Nothing else is signalled: the process must end by itself.
    /// </summary>
    public static System.Diagnostics.Process Terminate(NatterAppFixture fixture, string resource)
    {
        var processId = ProcessId(fixture, resource);
        var process = System.Diagnostics.Process.GetProcessById(processId);
        Assert.Equal(0, Kill(processId, SigTerm));
        return process;
    }

    /// <summary>
    /// Stops a resource's whole process tree with SIGSTOP: the process lives and keeps its ports, so connections are
    /// accepted and never answered, as with a hung process. Disposing the result sends SIGCONT. The AppHost's restart
    /// policy sees no exit, so the fault lasts exactly as long as the test holds it.
    /// </summary>
    public static IDisposable Pause(NatterAppFixture fixture, string resource)
    {
        var processId = ProcessId(fixture, resource);
        var tree = Natter.Chaos.ProcessTree.WithDescendants(processId);
        foreach (var member in tree)
        {
            Assert.Equal(0, Kill(member, SigStop));
        }
        return new Resume(tree);
    }

    private sealed class Resume(IReadOnlyList<int> tree) : IDisposable
    {
        public void Dispose()
        {
            foreach (var member in tree)
            {
                Kill(member, SigCont);
            }
        }
    }

    private static int ProcessId(NatterAppFixture fixture, string resource)
    {
        Assert.True(fixture.App.ResourceNotifications.TryGetCurrentState(resource, out var state), $"no resource {resource}");
        var pid = state.Snapshot.Properties.FirstOrDefault(p => p.Name == "executable.pid")?.Value?.ToString();
        Assert.True(int.TryParse(pid, out var processId), $"{resource} has no process id");
        return processId;
    }

    private const int SigTerm = 15;
    private const int SigCont = 18;
    private const int SigStop = 19;

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);
}

[Collection(DestructiveCollection.Name)]
public sealed class GatewayFailoverTests(DestructiveAppFixture fixture) : IAsyncLifetime
{
    public Task InitializeAsync() => fixture.WaitUntilWholeAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    private readonly MessagingHarness _harness = new(fixture);

    // The dead gateway's Aspire proxy still accepts TCP and never answers, much like a load balancer with a stale
    // backend: the client must bound each attempt and move on to the next endpoint.
    [Fact]
    public async Task Clients_of_a_killed_gateway_reconnect_to_the_other_and_lose_nothing()
    {
        string alice = NewId("alice"), bob = NewId("bob");
        await using var a = await _harness.ConnectReadyAsync(alice, NewId("a1"), true, "gateway-b");
        await using var b = await _harness.ConnectReadyAsync(bob, NewId("b1"), true, "gateway-a", "gateway-b");
        var chat = await a.CreateChatAsync([bob]);
        var sent = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            sent.Add((await a.SendMessageAsync(chat.ChatId, $"before {i}")).MessageId!);
        }
        var received = await MessagesAsync(b, 5);

        await ResourceControl.StopAsync(fixture, "gateway-a");
        await ResourceControl.StopAsync(fixture, "gateway-a-dapr");
        for (var i = 0; i < 10; i++)
        {
            var result = await a.SendMessageAsync(chat.ChatId, $"during {i}");
            Assert.Equal(SendStatus.Success, result.Status);
            sent.Add(result.MessageId!);
        }

        received.AddRange(await MessagesAsync(b, 10, TimeSpan.FromSeconds(90)));
        Assert.Equal(sent, received.Select(r => r.Message!.MessageId));
        Assert.True(b.ConnectionCount >= 2, "bob reconnected");
        var reply = await b.SendMessageAsync(chat.ChatId, "I moved to gateway-b");
        Assert.Equal(reply.MessageId, (await NextMessageAsync(a)).Message!.MessageId);
    }

    // The sidecar hangs rather than dies. A killed sidecar is started again by the restart policy after a 1 s back-off;
    // if it answers before the gateway's watch gives up on it (3 failed checks a second apart), rightly nothing is
    // shed, so a kill makes the test race the restart. A hung sidecar stays gone for as long as the test holds it.
    [Fact]
    public async Task Clients_of_a_gateway_whose_sidecar_stopped_answering_are_sent_to_the_other_gateway_and_lose_nothing()
    {
        string alice = NewId("alice"), bob = NewId("bob");
        await using var a = await _harness.ConnectReadyAsync(alice, NewId("a1"), true, "gateway-a");
        await using var b = await _harness.ConnectReadyAsync(bob, NewId("b1"), true, "gateway-b", "gateway-a");
        var chat = await a.CreateChatAsync([bob]);
        await NextAsync(b, i => i.Type == FrameTypes.ChatUpdate);

        // Only the sidecar is gone: the gateway process lives on, and alone it could do nothing for bob.
        using (ResourceControl.Pause(fixture, "gateway-b-dapr"))
        {
            await WaitUntilAsync(() => Task.FromResult(b.ConnectionCount >= 2), "bob's client was moved to another gateway", TimeSpan.FromSeconds(60));
            Assert.Equal(CloseCodes.GoingAway, b.LastClose?.Code);
            var sent = await a.SendMessageAsync(chat.ChatId, "after the sidecar stopped answering");
            Assert.Equal(sent.MessageId, (await NextMessageAsync(b, TimeSpan.FromSeconds(60))).Message!.MessageId);
        }
    }
}

[Collection(DestructiveCollection.Name)]
public sealed class ChatServiceFailoverTests(DestructiveAppFixture fixture) : IAsyncLifetime
{
    public Task InitializeAsync() => fixture.WaitUntilWholeAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    private readonly MessagingHarness _harness = new(fixture);

    [Fact]
    public async Task Chats_keep_working_when_a_chat_service_instance_dies_and_their_actors_reactivate_elsewhere()
    {
        string alice = NewId("alice"), bob = NewId("bob");
        await using var a = await _harness.ConnectReadyAsync(alice, NewId("a1"), true, "gateway-a");
        await using var b = await _harness.ConnectReadyAsync(bob, NewId("b1"), true, "gateway-b");
        // Eight chats: with two instances, some actors are almost surely placed on the one that dies.
        var chats = new List<string>();
        for (var i = 0; i < 8; i++)
        {
            var chat = await a.CreateChatAsync([bob]);
            chats.Add(chat.ChatId);
            Assert.Equal(SendStatus.Success, (await a.SendMessageAsync(chat.ChatId, "before")).Status);
        }
        Assert.Equal(8, (await MessagesAsync(b, 8)).Count);

        // The instance dies whole: the app and its sidecar, whose placement lease then lapses.
        await ResourceControl.StopAsync(fixture, "chatservice-a");
        await ResourceControl.StopAsync(fixture, "chatservice-a-dapr");

        var after = new Dictionary<string, SendMessageResult>();
        foreach (var chatId in chats)
        {
            after[chatId] = await SendUntilAcceptedAsync(a, chatId, $"after-{chatId}");
            Assert.Equal(2, after[chatId].Seq);
        }
        var received = await MessagesAsync(b, 8, TimeSpan.FromSeconds(60));
        Assert.Equal(after.Values.Select(r => r.MessageId).Order(), received.Select(r => r.Message!.MessageId).Order());
    }

    /// <summary>What a real client does while an actor moves: resend with the same clientMessageId until SUCCESS.</summary>
    private static async Task<SendMessageResult> SendUntilAcceptedAsync(NatterClient client, string chatId, string clientMessageId)
    {
        SendMessageResult? result = null;
        await WaitUntilAsync(async () =>
        {
            try
            {
                result = await client.SendMessageAsync(chatId, "after failover", clientMessageId: clientMessageId);
                return result.Status == SendStatus.Success;
            }
            catch (Exception e) when (e is NatterDisconnectedException or OperationCanceledException or TimeoutException
                or NatterErrorException { Code: ErrorCodes.Unavailable })
            {
                return false;
            }
        }, $"chat {chatId} accepts messages again", TimeSpan.FromSeconds(90));
        return result!;
    }
}
