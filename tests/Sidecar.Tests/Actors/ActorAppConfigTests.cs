using System.Text;
using Natter.Sidecar.Actors.Configuration;

namespace Natter.Sidecar.Tests.Actors;

public sealed class ActorAppConfigTests
{
    [Fact]
    public void Drain_settings_are_read_from_dapr_config()
    {
        var config = ActorAppConfig.Parse(Encoding.UTF8.GetBytes(
            """{"entities":["ChatActor"],"drainOngoingCallTimeout":"20s","drainRebalancedActors":false}"""));

        Assert.Equal(TimeSpan.FromSeconds(20), config.DrainOngoingCallTimeout);
        Assert.False(config.DrainRebalancedActors);
    }

    [Fact]
    public void Drain_settings_default_as_in_daprd()
    {
        var config = ActorAppConfig.Parse(Encoding.UTF8.GetBytes("""{"entities":["ChatActor"]}"""));

        Assert.Equal(TimeSpan.FromSeconds(60), config.DrainOngoingCallTimeout);
        Assert.True(config.DrainRebalancedActors);
    }
}
