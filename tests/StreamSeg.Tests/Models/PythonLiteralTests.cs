using StreamSeg.Models;

namespace StreamSeg.Tests.Models;

/// <summary>
/// The metadata texts here are what Python's <c>str()</c> writes for Ultralytics' <c>names</c> dict and its
/// <c>imgsz</c> / <c>kpt_shape</c> lists (checked with CPython: <c>str({0: "o'clock"})</c> is <c>{0: "o'clock"}</c>,
/// <c>str({0: 'it\'s "x"'})</c> is <c>{0: 'it\'s "x"'}</c>, <c>str({0: 'a\tb\x01'})</c> is <c>{0: 'a\\tb\\x01'}</c>).
/// </summary>
public class PythonLiteralTests
{
    [Fact]
    public void ParseNames_UltralyticsDict_ReturnsNamesById()
    {
        string[] names = PythonLiteral.ParseNames("{0: 'person', 1: \"o'clock\", 2: 'it\\'s', 3: 'a\\\\b', 4: 'say \"hi\"', 5: 'it\\'s \"x\"'}");
        Assert.Equal(["person", "o'clock", "it's", "a\\b", "say \"hi\"", "it's \"x\""], names);
    }

    [Fact]
    public void ParseNames_ReprEscapesAndNonAscii_AreDecoded()
    {
        // repr keeps printable non-ASCII as it is and escapes control characters.
        string[] names = PythonLiteral.ParseNames("{0: 'café', 1: 'a\\tb\\x01', 2: 'line\\nbreak\\r', 3: '\\u200b', 4: '\\U0001f600'}");
        Assert.Equal(["café", "a\tb\u0001", "line\nbreak\r", "\u200b", "\U0001f600"], names);
    }

    [Theory]
    [InlineData("{0: 'a', 1: 'b'}")]
    [InlineData("{0:'a',1:'b'}")]
    [InlineData("  { 0 : 'a' ,  1 : \"b\" }  ")]
    public void ParseNames_Spacing_DoesNotMatter(string text)
    {
        Assert.Equal(["a", "b"], PythonLiteral.ParseNames(text));
    }

    [Fact]
    public void ParseNames_GapsAndOrder_FillsMissingIdsWithNumbers()
    {
        Assert.Equal(["zero", "1", "two"], PythonLiteral.ParseNames("{2: 'two', 0: 'zero'}"));
        Assert.Empty(PythonLiteral.ParseNames("{}"));
    }

    [Fact]
    public void ParseNames_Coco80Style_ParsesAll()
    {
        string text = "{" + string.Join(", ", Enumerable.Range(0, 80).Select(i => $"{i}: 'class {i}'")) + "}";
        string[] names = PythonLiteral.ParseNames(text);
        Assert.Equal(80, names.Length);
        Assert.Equal("class 79", names[79]);
    }

    [Theory]
    [InlineData("[640, 640]", new[] { 640, 640 })]
    [InlineData("[17, 3]", new[] { 17, 3 })]
    [InlineData("[480,640]", new[] { 480, 640 })]
    [InlineData("[640]", new[] { 640 })]
    [InlineData("[]", new int[0])]
    public void ParseIntList_Valid_ReturnsInts(string text, int[] expected)
    {
        Assert.Equal(expected, PythonLiteral.ParseIntList(text, "imgsz"));
    }

    [Theory]
    [InlineData("{0: 'person'", "names")]
    [InlineData("{0 'person'}", "names")]
    [InlineData("{0: 'person}", "names")]
    [InlineData("{'a': 'person'}", "names")]
    [InlineData("{0: person}", "names")]
    [InlineData("{0: 1}", "names")]
    [InlineData("{0: 'a', 0: 'b'}", "names")]
    [InlineData("{-1: 'a'}", "names")]
    [InlineData("{0: 'a' 1: 'b'}", "names")]
    [InlineData("{0: 'a\\q'}", "names")]
    [InlineData("['a', 'b']", "names")]
    [InlineData("", "labels")]
    public void ParseNames_BadInput_ThrowsNamingTheKey(string text, string key)
    {
        var ex = Assert.Throws<FormatException>(() => PythonLiteral.ParseNames(text, key));
        Assert.Contains($"'{key}'", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("[640, 'x']")]
    [InlineData("[640, 640")]
    [InlineData("{640: 640}")]
    [InlineData("[640, 640] extra")]
    [InlineData("[99999999999]")]
    [InlineData("[640, 640,]")]
    [InlineData("(480, 640)")]
    [InlineData("640")]
    public void ParseIntList_BadInput_ThrowsNamingTheKey(string text)
    {
        var ex = Assert.Throws<FormatException>(() => PythonLiteral.ParseIntList(text, "kpt_shape"));
        Assert.Contains("'kpt_shape'", ex.Message, StringComparison.Ordinal);
    }
}
