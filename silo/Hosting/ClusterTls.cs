using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Orleans.Connections.Security;

namespace Widgets.Hosting;

/// <summary>
/// Configuration section <c>Orleans:Tls</c>: mutual TLS on the silo-to-silo and gateway-to-silo connections
/// (Microsoft.Orleans.Connections.Security). Off unless <see cref="CertificatePath"/> is set. Every silo and gateway
/// presents a certificate issued by the deployment's own CA (<see cref="CaPath"/>) and accepts only peers whose
/// certificate chains to that CA; host names are not checked, because silos are addressed by IP.
/// </summary>
public sealed class ClusterTls
{
    /// <summary>This host's certificate: a PEM file (with <see cref="KeyPath"/>) or a PKCS#12 (.pfx/.p12) file.</summary>
    public string? CertificatePath { get; set; }

    /// <summary>The PEM private key of a PEM <see cref="CertificatePath"/>.</summary>
    public string? KeyPath { get; set; }

    /// <summary>Password of a PKCS#12 file.</summary>
    public string? CertificatePassword { get; set; }

    /// <summary>PEM file with the CA certificate(s) peers' certificates must chain to.</summary>
    public string? CaPath { get; set; }

    public bool Enabled => !string.IsNullOrEmpty(CertificatePath);

    /// <summary>Loads the certificate and CA, failing with the fix when either is missing or unusable.</summary>
    public (X509Certificate2 Certificate, X509Certificate2Collection Authorities) Load()
    {
        if (string.IsNullOrEmpty(CaPath))
        {
            throw new InvalidOperationException(
                "Orleans:Tls:CertificatePath is set but Orleans:Tls:CaPath is not: set it to the PEM file of the CA that issued every silo's and gateway's certificate (deploy/README.md, \"TLS between silos\").");
        }

        try
        {
            var certificate = CertificatePath!.EndsWith(".pem", StringComparison.OrdinalIgnoreCase) || CertificatePath.EndsWith(".crt", StringComparison.OrdinalIgnoreCase)
                ? X509Certificate2.CreateFromPemFile(CertificatePath, KeyPath)
                : X509CertificateLoader.LoadPkcs12FromFile(CertificatePath, CertificatePassword);
            if (!certificate.HasPrivateKey)
            {
                throw new InvalidOperationException($"{CertificatePath} holds no private key; set Orleans:Tls:KeyPath to its PEM key.");
            }

            var authorities = new X509Certificate2Collection();
            authorities.ImportFromPemFile(CaPath);
            if (authorities.Count == 0)
            {
                throw new InvalidOperationException($"{CaPath} holds no PEM certificate.");
            }

            return (certificate, authorities);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException)
        {
            throw new InvalidOperationException(
                $"Cannot load the cluster's TLS certificate ({CertificatePath}, key {KeyPath ?? "in the file"}, CA {CaPath}): {ex.Message} Fix the paths or the files' permissions.", ex);
        }
    }

    /// <summary>Both directions authenticate: a silo accepts only clients and silos with a certificate from our CA.</summary>
    internal void Configure(TlsOptions options, X509Certificate2Collection authorities)
    {
        options.RemoteCertificateMode = RemoteCertificateMode.RequireCertificate;
        options.ClientCertificateMode = RemoteCertificateMode.RequireCertificate;
        options.RemoteCertificateValidation = (certificate, _, _) => ChainsTo(certificate, authorities);
    }

    /// <summary>True when <paramref name="certificate"/> chains to one of <paramref name="authorities"/> (and to nothing else).</summary>
    public static bool ChainsTo(X509Certificate2 certificate, X509Certificate2Collection authorities)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(authorities);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(certificate);
    }
}

/// <summary>Turns <see cref="ClusterTls"/> on for a silo or a client.</summary>
public static class ClusterTlsHosting
{
    public static ISiloBuilder UseWidgetsTls(this ISiloBuilder silo, ClusterTls tls)
    {
        if (tls.Enabled)
        {
            var (certificate, authorities) = tls.Load();
            silo.UseTls(certificate, o => tls.Configure(o, authorities));
        }

        return silo;
    }

    public static IClientBuilder UseWidgetsTls(this IClientBuilder client, ClusterTls tls)
    {
        if (tls.Enabled)
        {
            var (certificate, authorities) = tls.Load();
            client.UseTls(certificate, o => tls.Configure(o, authorities));
        }

        return client;
    }
}
