using Microsoft.Extensions.Logging.Abstractions;
using Propeller.Manager.Storage;
using Propeller.Manager.Storage.Memory;

namespace Propeller.Manager.Tests.Storage;

public sealed class MemoryStoreTests : StoreContractTests
{
    private protected override IPropellerStore CreateStore() => new MemoryStore(NullLogger<MemoryStore>.Instance);
}
