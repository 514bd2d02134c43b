// Decodes every document of a rendered manifest strictly into the Kubernetes client's typed models, so that an
// unknown or misplaced field, or a value of the wrong type, fails (no API server needed, unlike kubectl --dry-run).
using k8s;
using k8s.Models;

if (args.Length != 1)
{
    Console.Error.WriteLine("usage: ManifestCheck <rendered.yaml>");
    return 2;
}

List<object> objects = KubernetesYaml.LoadAllFromString(File.ReadAllText(args[0]), strict: true);
foreach (object o in objects)
{
    var resource = (IKubernetesObject<V1ObjectMeta>)o;
    Console.WriteLine($"{resource.Kind}/{resource.Metadata.Name}: ok ({o.GetType().Name})");
}

return objects.Count > 0 ? 0 : 1;
