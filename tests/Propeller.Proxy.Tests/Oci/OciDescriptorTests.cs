using Propeller.Proxy.Oci;

namespace Propeller.Proxy.Tests.Oci;

public sealed class OciDescriptorTests
{
    [Fact]
    public void Descriptor_SameFields_AreEqual()
    {
        Assert.Equal(new OciDescriptor("application/wasm", "sha256:00", 1), new OciDescriptor("application/wasm", "sha256:00", 1));
        Assert.NotEqual(new OciDescriptor("application/wasm", "sha256:00", 1), new OciDescriptor("application/wasm", "sha256:00", 2));
    }
}
