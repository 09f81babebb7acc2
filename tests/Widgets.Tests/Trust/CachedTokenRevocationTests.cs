using System.Net;
using System.Net.Http.Headers;
using Widgets.Gateway.Auth;
using Widgets.Tests.Infrastructure;
using Xunit;

namespace Widgets.Tests.Trust;

/// <summary>
/// A token the gateway has validated before (and so remembers) is still checked against its client on every call:
/// once the client is revoked the token gets the same 401 problem as a token the gateway never accepted.
/// </summary>
[Collection(TrustCollection.Name)]
public sealed class CachedTokenRevocationTests(TrustFixture gateway)
{
    [Fact]
    public async Task A_token_in_steady_use_is_refused_within_the_client_cache_freshness_once_its_client_is_revoked()
    {
        var location = await gateway.CreateLocationAsync();
        var route = location.PosRoute("widgets/list");
        var list = new { posLocationId = location.LocationId };
        for (var i = 0; i < 3; i++)
        {
            using var accepted = await location.Pos.PostJson(route, list);
            await accepted.Data();
        }

        using (var revoked = await location.Admin.DeleteAsync($"/v2/admin/clients/{location.PosClientId}"))
        {
            Assert.Equal(HttpStatusCode.NoContent, revoked.StatusCode);
        }

        async Task<HttpStatusCode> ListStatus()
        {
            using var response = await location.Pos.PostJson(route, list);
            return response.StatusCode;
        }

        await Eventually.Returns(ListStatus, s => s == HttpStatusCode.Unauthorized, ApiClientCache.Freshness + TimeSpan.FromSeconds(3),
            "the revoked client's remembered token to be refused");
        using var refused = await location.Pos.PostJson(route, list);
        var problem = await refused.Problem(HttpStatusCode.Unauthorized, "unauthorized");

        using var stranger = gateway.Anonymous();
        stranger.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "not-a-jwt");
        using var forged = await stranger.PostJson(route, list);
        var forgedProblem = await forged.Problem(HttpStatusCode.Unauthorized, "unauthorized");
        problem.Remove("traceId");
        forgedProblem.Remove("traceId");
        Assert.Equal(forgedProblem.ToJsonString(), problem.ToJsonString());
        Assert.Equal(forged.Headers.WwwAuthenticate.ToString(), refused.Headers.WwwAuthenticate.ToString());
    }

    [Fact]
    public async Task A_token_of_a_client_deleted_and_created_again_under_the_same_id_within_a_second_is_refused_at_once()
    {
        var location = await gateway.CreateLocationAsync();
        var route = location.PosRoute("widgets/list");
        var list = new { posLocationId = location.LocationId };

        // A token issued within the second before the client is re-created: token times have a one-second grain.
        using var issued = await gateway.RequestToken(location.PosClientId, location.PosClientSecret, "pos_integration");
        using var fresh = gateway.Anonymous();
        fresh.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", (await issued.ReadJson())["access_token"]!.GetValue<string>());
        using (var accepted = await fresh.PostJson(route, list))
        {
            await accepted.Data();
        }

        using (var revoked = await location.Admin.DeleteAsync($"/v2/admin/clients/{location.PosClientId}"))
        {
            Assert.Equal(HttpStatusCode.NoContent, revoked.StatusCode);
        }

        using (var recreated = await location.Admin.PostJson("/v2/admin/clients", new
        {
            clientId = location.PosClientId,
            scopes = new[] { "pos_integration" },
            locations = new[] { new { posSystemId = location.PosSystemId, posLocationId = location.LocationId } },
        }))
        {
            await recreated.Data(HttpStatusCode.Created);
        }

        using var old = await fresh.PostJson(route, list);
        await old.Problem(HttpStatusCode.Unauthorized, "unauthorized");
    }
}
