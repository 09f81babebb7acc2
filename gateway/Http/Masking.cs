namespace Widgets.Gateway.Http;

/// <summary>Shows enough of a contact to recognise it, not enough to use it.</summary>
public static class Masking
{
    public static string Phone(string phone) =>
        phone.Length <= 4 ? new string('*', phone.Length) : $"{phone[..Math.Min(2, phone.Length - 4)]}{new string('*', phone.Length - 2 - 4)}{phone[^4..]}";

    public static string Email(string email)
    {
        var at = email.IndexOf('@');
        return at <= 0 ? "***" : $"{email[0]}***{email[at..]}";
    }
}
