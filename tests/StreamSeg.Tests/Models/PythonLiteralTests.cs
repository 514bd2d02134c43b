using StreamSeg.Models;

namespace StreamSeg.Tests.Models;

public class PythonLiteralTests
{
    [Fact]
    public void ParseNames_UltralyticsDict_ReturnsNamesById()
    {
        string[] names = PythonLiteral.ParseNames("{0: 'person', 1: \"o'clock\", 2: 'it\\'s', 3: 'a\\\\b', 4: \"say \\\"hi\\\"\"}");
        Assert.Equal(["person", "o'clock", "it's", "a\\b", "say \"hi\""], names);
    }

    [Fact]
    public void ParseNames_GapsAndOrder_FillsMissingIdsWithNumbers()
    {
        Assert.Equal(["zero", "1", "two"], PythonLiteral.ParseNames("{2: 'two', 0: 'zero'}"));
    }

    [Fact]
    public void ParseNames_List_ReturnsItems()
    {
        Assert.Equal(["a", "b"], PythonLiteral.ParseNames("['a', 'b',]"));
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
    [InlineData("(480, 640)", new[] { 480, 640 })]
    [InlineData("640", new[] { 640 })]
    [InlineData("[]", new int[0])]
    public void ParseIntList_Valid_ReturnsInts(string text, int[] expected)
    {
        Assert.Equal(expected, PythonLiteral.ParseIntList(text, "imgsz"));
    }

    [Fact]
    public void Parse_ArgsDict_ReturnsTypedValues()
    {
        var args = Assert.IsType<Dictionary<object, object?>>(
            PythonLiteral.Parse("{'batch': 1, 'half': False, 'nms': True, 'conf': 0.25, 'device': None, 'imgsz': [640, 640]}", "args"));
        Assert.Equal(1L, args["batch"]);
        Assert.Equal(false, args["half"]);
        Assert.Equal(true, args["nms"]);
        Assert.Equal(0.25, args["conf"]);
        Assert.Null(args["device"]);
        Assert.Equal(2, Assert.IsType<List<object?>>(args["imgsz"]).Count);
    }

    [Theory]
    [InlineData("{0: 'person'", "names")]
    [InlineData("{0 'person'}", "names")]
    [InlineData("{0: 'person}", "names")]
    [InlineData("{'a': 'person'}", "names")]
    [InlineData("{0: person}", "names")]
    [InlineData("{0: 1}", "names")]
    [InlineData("{0: 'a', 0: 'b'}", "names")]
    [InlineData("", "names")]
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
    public void ParseIntList_BadInput_ThrowsNamingTheKey(string text)
    {
        var ex = Assert.Throws<FormatException>(() => PythonLiteral.ParseIntList(text, "kpt_shape"));
        Assert.Contains("'kpt_shape'", ex.Message, StringComparison.Ordinal);
    }
}
