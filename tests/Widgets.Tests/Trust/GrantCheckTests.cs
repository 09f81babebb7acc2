using Widgets.Clients;
using Widgets.Keys;
using Xunit;

namespace Widgets.Tests.Trust;

/// <summary>A client granted many locations (a chain's POS system) reaches exactly those: the check is a set lookup then.</summary>
public sealed class GrantCheckTests
{
    private static readonly LocationKey[] Chain = [.. Enumerable.Range(1, 40).Select(i => new LocationKey("chain", $"store-{i}"))];

    [Fact]
    public void Client_granted_many_locations_reaches_each_of_them_and_no_other()
    {
        var client = new ApiClient { ClientId = "chain-pos", Scopes = [Scopes.PosIntegration], Locations = Chain };

        Assert.All(Chain, location => Assert.True(client.CanAccess(location), location.ToString()));
        Assert.False(client.CanAccess(new LocationKey("chain", "store-41")));
        Assert.False(client.CanAccess(new LocationKey("other", "store-1")));
    }

    [Fact]
    public void A_copy_with_fewer_grants_loses_the_removed_ones()
    {
        var client = new ApiClient { ClientId = "chain-pos", Scopes = [Scopes.PosIntegration], Locations = Chain };
        Assert.True(client.CanAccess(Chain[^1]));

        var narrowed = client with { Locations = Chain[..20] };

        Assert.False(narrowed.CanAccess(Chain[^1]));
        Assert.True(narrowed.CanAccess(Chain[19]));
        Assert.True(client.CanAccess(Chain[^1]));
    }
}
