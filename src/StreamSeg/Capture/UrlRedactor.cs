using System.Text.RegularExpressions;

namespace StreamSeg.Capture;

/// <summary>Removes credentials from URLs before they are printed anywhere: <c>rtsp://user:pw@host/x</c> becomes <c>rtsp://***@host/x</c>.</summary>
public static partial class UrlRedactor
{
    /// <summary>Returns <paramref name="text"/> with the user-info part of every URL in it replaced by <c>***</c>.</summary>
    public static string Redact(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return text ?? string.Empty;
        }

        return UserInfo().Replace(text, "$1***@");
    }

    // scheme://userinfo@ — userinfo is anything up to the first '@' that has no '/', whitespace or quote in it.
    [GeneratedRegex(@"([a-zA-Z][a-zA-Z0-9+.\-]*://)[^/\s@""']+@")]
    private static partial Regex UserInfo();
}
