using Natter.Sidecar.Actors.Placement;

namespace Natter.Sidecar.Tests.Actors;

public sealed class RendezvousHashTests
{
    private static PlacementHost Host(string id) => new(id, $"http://{id}", "app", ["ChatActor"]);

    private static readonly string[] ActorIds = Enumerable.Range(0, 3000).Select(i => $"chat-{i}").ToArray();

    [Fact]
    public void Every_host_agrees_on_the_owner_whatever_order_it_lists_hosts_in()
    {
        var hosts = new[] { Host("a"), Host("b"), Host("c") };
        var reversed = hosts.Reverse().ToArray();

        Assert.All(ActorIds, id => Assert.Equal(
            RendezvousHash.Owner(hosts, "ChatActor", id)!.InstanceId,
            RendezvousHash.Owner(reversed, "ChatActor", id)!.InstanceId));
    }

    [Fact]
    public void Actors_spread_evenly_over_hosts()
    {
        var hosts = new[] { Host("a"), Host("b"), Host("c") };

        var counts = ActorIds.GroupBy(id => RendezvousHash.Owner(hosts, "ChatActor", id)!.InstanceId).ToDictionary(g => g.Key, g => g.Count());

        Assert.Equal(3, counts.Count);
        Assert.All(counts.Values, count => Assert.InRange(count, 800, 1200));
    }

    [Fact]
    public void When_a_host_leaves_only_its_actors_move()
    {
        var before = new[] { Host("a"), Host("b"), Host("c") };
        var after = new[] { Host("a"), Host("c") };

        foreach (var id in ActorIds)
        {
            var oldOwner = RendezvousHash.Owner(before, "ChatActor", id)!.InstanceId;
            var newOwner = RendezvousHash.Owner(after, "ChatActor", id)!.InstanceId;
            if (oldOwner != "b")
            {
                Assert.Equal(oldOwner, newOwner);
            }
        }
    }

    [Fact]
    public void Placement_table_only_offers_hosts_of_the_actor_type()
    {
        var table = new PlacementTable([Host("a"), new PlacementHost("gw", "http://gw", "gateway", [])]);

        Assert.Equal("a", table.Owner("ChatActor", "chat-1")!.InstanceId);
        Assert.Null(table.Owner("OtherActor", "x"));
    }
}
