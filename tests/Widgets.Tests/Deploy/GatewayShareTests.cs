using Widgets.Gateway.Hosting;
using Xunit;

namespace Widgets.Tests.Deploy;

/// <summary>
/// <c>RateLimits:PosPerClientPerSecond</c> is the deployment's: each gateway enforces its share, so adding gateways
/// does not raise what one POS client may send (the namespace-cluster test checks that two gateways count each other).
/// </summary>
public sealed class GatewayShareTests
{
    [Theory]
    [InlineData(200, 1, 200)]
    [InlineData(200, 2, 100)]
    [InlineData(200, 3, 67)]
    [InlineData(10, 4, 3)]
    [InlineData(1, 5, 1)]
    public void Each_gateway_enforces_the_limit_divided_by_the_live_gateways_rounded_up(int limit, int gateways, int share) =>
        Assert.Equal(share, GatewayShare.Of(limit, new Fixed(gateways)));

    private sealed class Fixed(int count) : ILiveGateways
    {
        public int Count => count;
    }
}
