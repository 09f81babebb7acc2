using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Widgets.Hosting;
using Xunit;

namespace Widgets.Tests.Deploy;

/// <summary>
/// Mutual TLS between silos and gateways (<c>Orleans:Tls</c>): a peer is accepted when its certificate chains to the
/// deployment's own CA and to nothing else; a configuration that cannot work stops the host with the fix.
/// </summary>
public sealed class ClusterTlsTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("widgets-tls-").FullName;

    [Fact]
    public void A_peer_certificate_from_the_deployment_CA_is_accepted_and_one_from_another_CA_or_self_signed_is_not()
    {
        using var ca = Authority("widgets-cluster-ca");
        using var otherCa = Authority("someone-else");
        using var node = Issue(ca, "silo-1");
        using var stranger = Issue(otherCa, "silo-1");
        using var selfSigned = SelfSigned("silo-1");

        Assert.True(ClusterTls.ChainsTo(node, [ca]));
        Assert.False(ClusterTls.ChainsTo(stranger, [ca]));
        Assert.False(ClusterTls.ChainsTo(selfSigned, [ca]));
    }

    [Fact]
    public void PEM_files_as_the_docs_make_them_load_with_their_key()
    {
        using var ca = Authority("widgets-cluster-ca");
        using var node = Issue(ca, "gateway-1");
        var tls = new ClusterTls
        {
            CertificatePath = Write("node.pem", node.ExportCertificatePem()),
            KeyPath = Write("node.key", node.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem()),
            CaPath = Write("ca.pem", ca.ExportCertificatePem()),
        };

        var (certificate, authorities) = tls.Load();

        Assert.True(certificate.HasPrivateKey);
        Assert.Equal(ca.Thumbprint, Assert.Single(authorities).Thumbprint);
    }

    [Fact]
    public void A_certificate_without_a_CA_to_check_peers_against_stops_the_host_naming_the_setting()
    {
        var tls = new ClusterTls { CertificatePath = Write("node.pem", "") };

        var refusal = Assert.Throws<InvalidOperationException>(() => tls.Load());

        Assert.Contains("Orleans:Tls:CaPath", refusal.Message, StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(folder, recursive: true);

    private string Write(string name, string content)
    {
        var path = Path.Combine(folder, name);
        File.WriteAllText(path, content);
        return path;
    }

    private static X509Certificate2 Authority(string name)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddYears(1));
    }

    private static X509Certificate2 Issue(X509Certificate2 authority, string name)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1"), new Oid("1.3.6.1.5.5.7.3.2")], false));
        using var issued = request.Create(authority, DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddDays(30), RandomNumberGenerator.GetBytes(8));
        return issued.CopyWithPrivateKey(key);
    }

    private static X509Certificate2 SelfSigned(string name)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        return new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256).CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddDays(30));
    }
}
