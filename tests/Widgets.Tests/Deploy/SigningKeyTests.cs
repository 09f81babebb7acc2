using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Widgets.Gateway.Auth;
using Widgets.Tests.Infrastructure;
using Xunit;

namespace Widgets.Tests.Deploy;

/// <summary>A gateway refuses to start on a signing key anyone could know: it would let them forge tokens and links.</summary>
public sealed partial class SigningKeyTests
{
    public static TheoryData<string> PlaceholdersInTheDeployFiles() => new(Placeholders());

    /// <summary>The signing-key values the example configuration files ship with.</summary>
    private static List<string> Placeholders() =>
        new[] { "deploy/k8s/config.yaml", "deploy/systemd/widgets.env.example" }
            .SelectMany(file => SigningKeyLine().Matches(File.ReadAllText(Path.Combine(ProcessCluster.RepositoryRoot, file))))
            .Select(match => match.Groups[1].Value)
            .ToList();

    [Theory]
    [MemberData(nameof(PlaceholdersInTheDeployFiles))]
    public void The_placeholder_keys_of_the_deploy_files_are_refused_with_the_command_that_makes_a_real_one(string placeholder)
    {
        var refusal = Assert.Throws<InvalidOperationException>(() => SigningKeys.Validate(placeholder));
        Assert.Contains("openssl rand -base64 48", refusal.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("short-but-random-Qx7#9")]
    [InlineData("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")]
    [InlineData("0123456789012345678901234567890123456789")]
    [InlineData("my-company-secret-key-for-widgets-production")]
    public void Short_repetitive_or_hand_typed_keys_are_refused(string key)
    {
        var refusal = Assert.Throws<InvalidOperationException>(() => SigningKeys.Validate(key));
        Assert.Contains("openssl rand -base64 48", refusal.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Keys_made_as_the_docs_say_are_accepted()
    {
        for (var i = 0; i < 200; i++)
        {
            var base64 = Convert.ToBase64String(RandomNumberGenerator.GetBytes(48));
            var hex = Convert.ToHexString(RandomNumberGenerator.GetBytes(32)).ToLowerInvariant();
            Assert.Equal(base64, SigningKeys.Validate(base64));
            Assert.Equal(hex, SigningKeys.Validate(hex));
        }
    }

    [Fact]
    public void A_gateway_configured_with_the_example_key_does_not_start_and_says_how_to_fix_it()
    {
        var placeholder = Placeholders()[0];
        using var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(b =>
        {
            b.UseSetting("Auth:SigningKey", placeholder);
            b.UseSetting("Widgets:DataDirectory", Path.Combine(Path.GetTempPath(), $"widgets-key-test-{Guid.NewGuid():N}"));
            var (_, siloPort, gatewayPort) = GatewayPorts.Three();
            b.UseSetting("Orleans:SiloPort", siloPort.ToString(System.Globalization.CultureInfo.InvariantCulture));
            b.UseSetting("Orleans:GatewayPort", gatewayPort.ToString(System.Globalization.CultureInfo.InvariantCulture));
            b.UseSetting("Demo:Seed", "false");
        });
        var refusal = Assert.ThrowsAny<Exception>(() => factory.CreateClient());
        var message = string.Join(" | ", Flatten(refusal).Select(e => e.Message));
        Assert.Contains("Auth:SigningKey is a placeholder", message, StringComparison.Ordinal);
        Assert.Contains("openssl rand -base64 48", message, StringComparison.Ordinal);
    }

    private static IEnumerable<Exception> Flatten(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            yield return e;
            if (e is AggregateException aggregate)
            {
                foreach (var inner in aggregate.InnerExceptions.SelectMany(Flatten))
                {
                    yield return inner;
                }
            }
        }
    }

    /// <summary><c>Auth__SigningKey: "…"</c> (YAML) or <c>Auth__SigningKey=…</c> (env file), outside comments.</summary>
    [GeneratedRegex(@"^[^#\r\n]*Auth__SigningKey[:=]\s*""?([^""\r\n]+)""?", RegexOptions.Multiline)]
    private static partial Regex SigningKeyLine();
}
