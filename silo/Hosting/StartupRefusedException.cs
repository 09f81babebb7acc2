namespace Widgets.Hosting;

/// <summary>
/// A setting or the machine's state makes starting unsafe or impossible. The host prints the message (which names the
/// setting to change) and exits with code 1, instead of a stack trace.
/// </summary>
public sealed class StartupRefusedException(string message) : Exception(message)
{
    /// <summary>Runs a host's start-up; a refusal is printed to stderr and becomes exit code 1.</summary>
    public static int Guard(Action start)
    {
        try
        {
            start();
            return 0;
        }
        catch (StartupRefusedException refused)
        {
            Console.Error.WriteLine($"Widgets cannot start: {refused.Message}");
            return 1;
        }
    }
}
