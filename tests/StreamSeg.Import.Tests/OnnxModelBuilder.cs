using Google.Protobuf;
using Onnx;
using DataType = Onnx.TensorProto.Types.DataType;

namespace StreamSeg.Import.Tests;

/// <summary>Builds tiny ONNX models directly with the proto classes (fixtures whose outputs are easy to predict).</summary>
internal sealed class OnnxModelBuilder
{
    private readonly GraphProto _graph = new() { Name = "fixture" };
    private readonly ModelProto _model = new() { IrVersion = 8, ProducerName = "StreamSeg.Import.Tests", ProducerVersion = "1.0" };
    private long _opset = 17;

    /// <summary>A model whose output <c>output</c> is its input <paramref name="name"/> unchanged.</summary>
    public static ModelProto Identity(string name, DataType type, params object[] dims) =>
        new OnnxModelBuilder().Input(name, type, dims).Node("Identity", [name], ["output"]).Output("output", type).Build();

    /// <summary>Describes a tensor; each dimension is a <see cref="long"/> (static) or a <see cref="string"/> (symbolic); null dims: unknown rank.</summary>
    public static ValueInfoProto Value(string name, DataType type, object[]? dims)
    {
        var tensor = new TypeProto.Types.Tensor { ElemType = (int)type };
        if (dims is not null)
        {
            tensor.Shape = new TensorShapeProto();
            foreach (object d in dims)
            {
                tensor.Shape.Dim.Add(d switch
                {
                    long v => new TensorShapeProto.Types.Dimension { DimValue = v },
                    int v => new TensorShapeProto.Types.Dimension { DimValue = v },
                    string p => new TensorShapeProto.Types.Dimension { DimParam = p },
                    _ => throw new ArgumentException($"Dimension {d} must be a number or a name.", nameof(dims)),
                });
            }
        }

        return new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = tensor } };
    }

    public static AttributeProto IntAttribute(string name, long value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    public static AttributeProto GraphAttribute(string name, GraphProto graph) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Graph, G = graph };

    public OnnxModelBuilder Input(string name, DataType type, object[]? dims)
    {
        _graph.Input.Add(Value(name, type, dims));
        return this;
    }

    public OnnxModelBuilder Output(string name, DataType type, object[]? dims = null)
    {
        _graph.Output.Add(Value(name, type, dims));
        return this;
    }

    public OnnxModelBuilder ValueInfo(string name, DataType type, object[]? dims)
    {
        _graph.ValueInfo.Add(Value(name, type, dims));
        return this;
    }

    public OnnxModelBuilder Node(string op, string[] inputs, string[] outputs, string? name = null, params AttributeProto[] attributes)
    {
        var node = new NodeProto { OpType = op, Name = name ?? $"{op}_{_graph.Node.Count}" };
        node.Input.AddRange(inputs);
        node.Output.AddRange(outputs);
        node.Attribute.AddRange(attributes);
        _graph.Node.Add(node);
        return this;
    }

    public OnnxModelBuilder Initializer(string name, float[] values, params long[] dims)
    {
        var t = new TensorProto { Name = name, DataType = (int)DataType.Float };
        t.Dims.AddRange(dims);
        t.FloatData.AddRange(values);
        _graph.Initializer.Add(t);
        return this;
    }

    public OnnxModelBuilder Metadata(string key, string value)
    {
        _model.MetadataProps.Add(new StringStringEntryProto { Key = key, Value = value });
        return this;
    }

    public OnnxModelBuilder Opset(long version)
    {
        _opset = version;
        return this;
    }

    public ModelProto Build()
    {
        ModelProto model = _model.Clone();
        model.Graph = _graph.Clone();
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = string.Empty, Version = _opset });
        return model;
    }

    /// <summary>The model as protobuf bytes.</summary>
    public byte[] BuildBytes() => Build().ToByteArray();
}
