using Natter.Client;
using Natter.Contracts;
using Natter.Functional.Tests.Infrastructure;
using Natter.Inbox;
using static Natter.Functional.Tests.Infrastructure.FunctionalClients;

namespace Natter.Functional.Tests.Connections;

/// <summary>
/// The gateway's upkeep runs for all its sockets at once, in batches (4 sockets each here): one tick of the test clock
/// must reach every socket, whichever batch it falls in.
/// </summary>
[Collection(FunctionalCollection.Name)]
public sealed class UpkeepTests(FunctionalHost host)
{
    private static readonly TimeSpan Renewal = new ConnectionGateway.GatewayOptions().PresenceRenewal;

    private readonly FunctionalClients _clients = new(host);

    [Fact]
    public async Task One_tick_closes_every_device_retired_elsewhere_and_delivers_every_entry_whose_event_was_lost()
    {
        var devices = Enumerable.Range(0, 10).Select(i => new DeviceAddress(NewId($"user{i}"), NewId("phone"))).ToList();
        var sockets = new List<NatterClient>();
        foreach (var device in devices)
        {
            sockets.Add(await _clients.ConnectReadyAsync(device.UserId, device.ClientId));
        }
        try
        {
            // Retired by another gateway (straight through the store: no socket of this gateway hears of it).
            int[] retired = [1, 5, 9];
            foreach (var i in retired)
            {
                Assert.True(await host.Devices.DeactivateAsync(devices[i], CancellationToken.None));
            }
            // Stored with no pub/sub event, as when a publish is lost after the commit.
            int[] missed = [0, 6, 8];
            var entry = new InboxEntry(InboxEntryKinds.NewMessage,
                new MessagePayload("lost-event-chat", Guid.CreateVersion7().ToString(), 1, "someone", "found by upkeep", [], 0), null, 0, null);
            await host.Inbox.AppendAsync([.. missed.Select(i => devices[i])], entry, $"upkeep-test|{Guid.NewGuid():N}",
                (_, _) => Task.FromResult<IReadOnlyList<Dapr.Client.StateTransactionRequest>>([]), CancellationToken.None);

            host.Clock.Advance(Renewal);

            foreach (var i in retired)
            {
                await WaitUntilAsync(() => Task.FromResult(sockets[i].LastClose?.Code == CloseCodes.ClientDeactivated),
                    $"device {i}'s socket is closed with 4003");
            }
            foreach (var i in missed)
            {
                Assert.Equal("found by upkeep", (await NextMessageAsync(sockets[i])).Message!.Message);
            }
            Assert.All(Enumerable.Range(0, 10).Except(retired), i => Assert.Null(sockets[i].LastClose));
        }
        finally
        {
            foreach (var socket in sockets)
            {
                await socket.DisposeAsync();
            }
        }
    }
}
