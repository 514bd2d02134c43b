using StreamSeg.Models;

namespace StreamSeg.Tests.Models;

public class ModelAdapterFactoryTests
{
    [Theory]
    [InlineData("yolo-seg.onnx", "yolo-seg", ModelTask.Segment)]
    [InlineData("yolo-pose.onnx", "yolo-pose", ModelTask.Pose)]
    [InlineData("maskrcnn.onnx", "maskrcnn", ModelTask.Segment)]
    [InlineData("keypointrcnn.onnx", "keypointrcnn", ModelTask.Pose)]
    public void Create_FixtureModel_ChoosesMatchingAdapter(string file, string adapterName, ModelTask task)
    {
        IModelAdapter adapter = ModelAdapterFactory.Create(OrtFixture.Signature(file), null);
        Assert.Equal(adapterName, adapter.Name);
        Assert.Equal(task, adapter.Task);
    }

    [Theory]
    [InlineData("yolo-seg.onnx", "yolo-seg")]
    [InlineData("yolo-pose.onnx", "YOLO-POSE")]
    [InlineData("maskrcnn.onnx", "maskrcnn")]
    [InlineData("keypointrcnn.onnx", "auto")]
    public void Create_OverrideThatFits_IsUsed(string file, string adapterName)
    {
        IModelAdapter adapter = ModelAdapterFactory.Create(OrtFixture.Signature(file), adapterName);
        Assert.Contains(adapter.Name, ModelAdapterFactory.Names);
    }

    [Fact]
    public void ModelSignatureReader_ReadsShapesTypesAndMetadata()
    {
        ModelSignature seg = OrtFixture.Signature("yolo-seg.onnx");
        Assert.Equal("images Float[1,3,320,320]", seg.Inputs[0].ToString());
        Assert.Equal(["output0 Float[1,39,2100]", "output1 Float[1,32,80,80]"], seg.Outputs.Select(o => o.ToString()));
        Assert.Equal("segment", seg.Metadata["task"]);
        Assert.Equal("{0: 'person', 1: \"o'clock\", 2: 'cat'}", seg.Metadata["names"]);

        ModelSignature kp = OrtFixture.Signature("keypointrcnn.onnx");
        Assert.Equal("images Float[3,-1,-1]", kp.Inputs[0].ToString());
        Assert.Equal(["boxes", "labels", "scores", "keypoints", "3327"], kp.Outputs.Select(o => o.Name));
        Assert.Equal("Int64", kp.Outputs[1].ElementType);
    }

    [Fact]
    public void Create_YoloSegFixture_ReadsInputSizeAndNames()
    {
        IModelAdapter adapter = ModelAdapterFactory.Create(OrtFixture.Signature("yolo-seg.onnx"), null);
        Assert.Equal(new InputSpec("images", 320, 320), adapter.Input);
        Assert.Equal(["person", "o'clock", "cat"], adapter.ClassNames);
    }

    [Fact]
    public void Create_YoloPoseFixtureWithDynamicInput_UsesImgsz()
    {
        IModelAdapter adapter = ModelAdapterFactory.Create(OrtFixture.Signature("yolo-pose.onnx"), null);
        Assert.Equal((320, 320), (adapter.Input.Width, adapter.Input.Height));
        Assert.Equal(17, ((YoloPoseAdapter)adapter).KeypointCount);
    }

    [Fact]
    public void Create_RcnnFixture_UsesNativeSizeChw()
    {
        IModelAdapter adapter = ModelAdapterFactory.Create(OrtFixture.Signature("maskrcnn.onnx"), null);
        Assert.Equal(new InputSpec("images_tensors", 0, 0, Letterbox: false, PadValue: 0, Scale: 1f / 255f, Layout: TensorLayout.Chw), adapter.Input);
    }

    [Fact]
    public void Create_OverrideThatDoesNotFit_ThrowsNamingAdapterAndShapes()
    {
        ModelSignature seg = OrtFixture.Signature("yolo-seg.onnx");
        var ex = Assert.Throws<ModelNotSupportedException>(() => ModelAdapterFactory.Create(seg, "keypointrcnn"));
        Assert.Contains("'keypointrcnn'", ex.Message, StringComparison.Ordinal);
        Assert.Contains(seg.Path, ex.Message, StringComparison.Ordinal);
        Assert.Contains("output0 Float[1,39,2100]", ex.Message, StringComparison.Ordinal);
        Assert.Contains(KeypointRcnnAdapter.ExpectedSignature, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Create_UnknownAdapterName_ThrowsListingNames()
    {
        var ex = Assert.Throws<ArgumentException>(() => ModelAdapterFactory.Create(OrtFixture.Signature("yolo-seg.onnx"), "yolo-obb"));
        Assert.Contains("yolo-seg, yolo-pose, maskrcnn, keypointrcnn", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("unsupported-classifier.onnx", "input Float[1,3,224,224]", "logits Float[1,1000]", "task 'classify'")]
    [InlineData("unsupported-detect.onnx", "images Float[1,3,320,320]", "output0 Float[1,8,2100]", "no adapter fits")]
    public void Create_ModelThatFitsNothing_MessageNamesPathTensorsAndExpectedSignatures(string file, string input, string output, string why)
    {
        ModelSignature signature = OrtFixture.Signature(file);
        var ex = Assert.Throws<ModelNotSupportedException>(() => ModelAdapterFactory.Create(signature, null));
        Assert.Contains(TestPaths.Model(file), ex.Message, StringComparison.Ordinal);
        Assert.Contains(input, ex.Message, StringComparison.Ordinal);
        Assert.Contains(output, ex.Message, StringComparison.Ordinal);
        Assert.Contains(why, ex.Message, StringComparison.Ordinal);
        foreach (string name in ModelAdapterFactory.Names)
        {
            Assert.Contains(name + ": " + ModelAdapterFactory.ExpectedSignature(name), ex.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Create_TaskSegmentWithWrongShapes_RefusesNamingTask()
    {
        ModelSignature signature = TestSignatures.Make(
            [TestSignatures.Float("images", 1, 3, 640, 640)],
            [TestSignatures.Float("output0", 1, 84, 8400)],
            new() { ["task"] = "segment" });
        var ex = Assert.Throws<ModelNotSupportedException>(() => ModelAdapterFactory.Create(signature, null));
        Assert.Contains("task 'segment'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("yolo-seg", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Create_UnknownTaskOnAShapeThatFits_RefusesRatherThanMatchingByShape()
    {
        // The head would fit yolo-seg by shape; a task the metadata names without an adapter still refuses the model.
        ModelSignature signature = TestSignatures.YoloSeg(640, 116, 8400, 32, 160, 160, new() { ["task"] = "'detect'" });
        var ex = Assert.Throws<ModelNotSupportedException>(() => ModelAdapterFactory.Create(signature, null));
        Assert.Contains("task 'detect' has no adapter", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Create_TaskPoseOnAPoseHead_ChoosesYoloPose()
    {
        Assert.Equal("yolo-pose", ModelAdapterFactory.Create(TestSignatures.YoloPose(640, 56, 8400, new() { ["task"] = "pose" }), null).Name);
    }

    [Fact]
    public void Create_BadNamesMetadata_ReportsTheKey()
    {
        ModelSignature signature = TestSignatures.YoloSeg(640, 4 + 80 + 32, 8400, 32, 160, 160, new() { ["names"] = "{0: 'person'" });
        var ex = Assert.Throws<ModelNotSupportedException>(() => ModelAdapterFactory.Create(signature, null));
        Assert.Contains("'names'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Create_ShapesOnlyNoMetadata_StillChoosesByShape()
    {
        Assert.Equal("yolo-seg", ModelAdapterFactory.Create(TestSignatures.YoloSeg(640, 116, 8400, 32, 160, 160), null).Name);
        Assert.Equal("yolo-pose", ModelAdapterFactory.Create(TestSignatures.YoloPose(640, 56, 8400), null).Name);
        Assert.Equal("maskrcnn", ModelAdapterFactory.Create(TestSignatures.MaskRcnn(), null).Name);
        Assert.Equal("keypointrcnn", ModelAdapterFactory.Create(TestSignatures.KeypointRcnn(), null).Name);
    }

    [Fact]
    public void Create_InvalidOptions_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() =>
            ModelAdapterFactory.Create(TestSignatures.MaskRcnn(), null, new AdapterOptions { MaskThreshold = 1.5f }));
    }
}
