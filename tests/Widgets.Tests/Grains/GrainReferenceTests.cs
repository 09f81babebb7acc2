using Widgets.Catalogue;
using Widgets.Keys;
using Widgets.Sessions;
using Widgets.Tests.Infrastructure;
using Xunit;

namespace Widgets.Tests.Grains;

/// <summary>Our cached grain references address exactly the grains Orleans' own <c>GetGrain</c> does.</summary>
[Collection(SiloClusterCollection.Name)]
public sealed class GrainReferenceTests(SiloClusterFixture fixture)
{
    [Fact]
    public async Task A_cached_reference_reaches_the_same_grain_as_GetGrain()
    {
        var shop = await TestShop.OpenAsync(fixture.Grains);
        var widget = await shop.AddWidgetAsync();
        var location = shop.Key.ToString();

        var cached = fixture.Grains.Grain<ILocationGrain>(location);

        Assert.Equal(fixture.Grains.GetGrain<ILocationGrain>(location).GetGrainId(), cached.GetGrainId());
        Assert.Equal(widget.Id, (await cached.GetWidget(widget.Id))?.Id);
    }

    [Fact]
    public void References_of_different_interfaces_keep_their_own_grain_types()
    {
        var session = fixture.Grains.Grain<IWidgetSessionGrain>("same-key");
        var location = fixture.Grains.Grain<ILocationGrain>("same-key");

        Assert.Equal(fixture.Grains.GetGrain<IWidgetSessionGrain>("same-key").GetGrainId(), session.GetGrainId());
        Assert.NotEqual(session.GetGrainId(), location.GetGrainId());
        Assert.Equal(session.GetGrainId(), fixture.Grains.Grain<IWidgetSessionGrain>(session.GetGrainId()).GetGrainId());
    }
}
