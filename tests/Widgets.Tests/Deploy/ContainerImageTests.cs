using System.Globalization;
using System.Text.RegularExpressions;
using Widgets.Tests.Infrastructure;
using Xunit;

namespace Widgets.Tests.Deploy;

/// <summary>
/// The images and pod specs in deploy/ start under Kubernetes' <c>runAsNonRoot</c>, and every image they name is one a
/// rollback can return to. Kubernetes can only check a numeric user: a pod whose image says <c>USER app</c> and whose
/// spec sets no <c>runAsUser</c> never starts ("image has non-numeric user (app), cannot verify user is non-root").
/// The files are read as text, line by line, as an operator's <c>kubectl apply</c> and <c>docker build</c> take them.
/// </summary>
public sealed partial class ContainerImageTests
{
    private static readonly string Deploy = Path.Combine(ProcessCluster.RepositoryRoot, "deploy");

    public static TheoryData<string> Dockerfiles() => new(Files("*Dockerfile"));

    public static TheoryData<string> PodSpecsThatRequireANonRootUser() =>
        new(Files("*.yaml").Where(file => Documents(file).Any(d => d.Contains("runAsNonRoot: true", StringComparison.Ordinal))));

    public static TheoryData<string, string> ImageReferences()
    {
        var references = new TheoryData<string, string>();
        foreach (var file in Files("*"))
        {
            var text = File.ReadAllText(Path.Combine(Deploy, file));
            var stages = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            foreach (Match from in FromLine().Matches(file.EndsWith("Dockerfile", StringComparison.Ordinal) ? text : ""))
            {
                // FROM build (an earlier stage of the same file) names no image.
                if (!stages.Contains(from.Groups["image"].Value))
                {
                    references.Add(file, from.Groups["image"].Value);
                }

                stages.Add(from.Groups["stage"].Value);
            }

            foreach (Match image in ImageLine().Matches(text).Concat(BuildTag().Matches(text)))
            {
                references.Add(file, image.Groups["image"].Value.Trim('"', '\''));
            }
        }

        return references;
    }

    [Theory]
    [MemberData(nameof(Dockerfiles))]
    public void An_image_runs_as_a_numeric_user_that_is_not_root(string dockerfile)
    {
        var lines = File.ReadAllLines(Path.Combine(Deploy, dockerfile)).Select(l => l.Trim()).ToList();
        var finalStage = lines.FindLastIndex(l => l.StartsWith("FROM ", StringComparison.OrdinalIgnoreCase));
        var user = lines.Skip(finalStage).LastOrDefault(l => l.StartsWith("USER ", StringComparison.OrdinalIgnoreCase));
        if (user is null)
        {
            Assert.Fail($"{dockerfile}: the final stage sets no USER, so the container runs as root");
        }

        var name = user["USER ".Length..].Trim().Split(':')[0];
        var numeric = name is "$APP_UID" or "${APP_UID}"
            || (int.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out var uid) && uid > 0);
        Assert.True(numeric, $"{dockerfile}: '{user}' is not a numeric non-root user; runAsNonRoot refuses it (use USER $APP_UID)");
    }

    [Theory]
    [MemberData(nameof(PodSpecsThatRequireANonRootUser))]
    public void A_pod_that_requires_a_non_root_user_names_one_by_number(string manifest)
    {
        foreach (var document in Documents(manifest).Where(d => d.Contains("runAsNonRoot: true", StringComparison.Ordinal)))
        {
            var kind = Kind().Match(document).Groups[1].Value;
            var user = RunAsUser().Match(document);
            Assert.True(user.Success && int.Parse(user.Groups[1].Value, CultureInfo.InvariantCulture) > 0,
                $"{manifest}: the {kind} sets runAsNonRoot without a numeric runAsUser (other than 0), so Kubernetes cannot verify the image's user");
        }
    }

    [Theory]
    [MemberData(nameof(ImageReferences))]
    public void An_image_is_named_by_a_tag_other_than_latest(string file, string image)
    {
        var name = image[(image.LastIndexOf('/') + 1)..];
        var tag = name.Contains(':', StringComparison.Ordinal) ? name[(name.IndexOf(':', StringComparison.Ordinal) + 1)..] : null;
        Assert.True(image.Contains("@sha256:", StringComparison.Ordinal) || tag is { Length: > 0 } and not "latest",
            $"{file}: image '{image}' has no tag or is 'latest'; a rollback must name the image it returns to");
    }

    private static IEnumerable<string> Files(string pattern) =>
        Directory.GetFiles(Deploy, pattern, SearchOption.AllDirectories)
            .Where(path => !path.Contains($"{Path.DirectorySeparatorChar}.run{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Select(path => Path.GetRelativePath(Deploy, path))
            .Order(StringComparer.Ordinal);

    private static string[] Documents(string manifest) => DocumentSeparator().Split(File.ReadAllText(Path.Combine(Deploy, manifest)));

    [GeneratedRegex(@"^---\s*$", RegexOptions.Multiline)]
    private static partial Regex DocumentSeparator();

    [GeneratedRegex(@"^kind:\s*(\S+)", RegexOptions.Multiline)]
    private static partial Regex Kind();

    [GeneratedRegex(@"\brunAsUser:[ \t]*(\d+)")]
    private static partial Regex RunAsUser();

    [GeneratedRegex(@"^FROM[ \t]+(?:--\S+[ \t]+)*(?<image>\S+)(?:[ \t]+AS[ \t]+(?<stage>\S+))?", RegexOptions.Multiline | RegexOptions.IgnoreCase)]
    private static partial Regex FromLine();

    [GeneratedRegex(@"^[ \t#-]*image:[ \t]*(?<image>[^\s#]+)", RegexOptions.Multiline)]
    private static partial Regex ImageLine();

    [GeneratedRegex(@"\bdocker\s+build\b[^\n]*?\s(?:-t|--tag)[\s=]+(?<image>\S+)")]
    private static partial Regex BuildTag();
}
