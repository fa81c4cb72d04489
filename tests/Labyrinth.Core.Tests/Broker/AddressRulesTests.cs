using System.Net;
using Labyrinth.Core.Broker;

namespace Labyrinth.Core.Tests.Broker;

public sealed class AddressRulesTests
{
    [Theory]
    [InlineData("127.0.0.1", AddressKind.Loopback)]
    [InlineData("127.255.0.9", AddressKind.Loopback)]
    [InlineData("::1", AddressKind.Loopback)]
    [InlineData("::ffff:127.0.0.1", AddressKind.Loopback)]
    [InlineData("::127.0.0.1", AddressKind.Loopback)]
    [InlineData("64:ff9b::127.0.0.1", AddressKind.Loopback)]
    [InlineData("2002:7f00:0001::1", AddressKind.Loopback)]
    [InlineData("10.1.2.3", AddressKind.Private)]
    [InlineData("172.16.0.1", AddressKind.Private)]
    [InlineData("172.31.255.255", AddressKind.Private)]
    [InlineData("192.168.1.1", AddressKind.Private)]
    [InlineData("::ffff:10.0.0.1", AddressKind.Private)]
    [InlineData("fd12:3456::1", AddressKind.Private)]
    [InlineData("fc00::1", AddressKind.Private)]
    [InlineData("169.254.1.1", AddressKind.LinkLocal)]
    [InlineData("fe80::1", AddressKind.LinkLocal)]
    [InlineData("169.254.169.254", AddressKind.Metadata)]
    [InlineData("::ffff:169.254.169.254", AddressKind.Metadata)]
    [InlineData("fd00:ec2::254", AddressKind.Metadata)]
    [InlineData("100.100.100.200", AddressKind.Metadata)]
    [InlineData("100.64.0.1", AddressKind.SharedCgnat)]
    [InlineData("100.127.255.254", AddressKind.SharedCgnat)]
    [InlineData("0.0.0.0", AddressKind.Unspecified)]
    [InlineData("0.1.2.3", AddressKind.Unspecified)]
    [InlineData("::", AddressKind.Unspecified)]
    [InlineData("224.0.0.1", AddressKind.Multicast)]
    [InlineData("ff02::1", AddressKind.Multicast)]
    [InlineData("255.255.255.255", AddressKind.Reserved)]
    [InlineData("240.0.0.1", AddressKind.Reserved)]
    [InlineData("192.0.2.1", AddressKind.Reserved)]
    [InlineData("198.18.0.1", AddressKind.Reserved)]
    [InlineData("2001:db8::1", AddressKind.Reserved)]
    [InlineData("2001:0:4136:e378:8000:63bf:3fff:fdd2", AddressKind.Reserved)]
    [InlineData("8.8.8.8", AddressKind.Public)]
    [InlineData("100.63.255.255", AddressKind.Public)]
    [InlineData("100.128.0.1", AddressKind.Public)]
    [InlineData("172.32.0.1", AddressKind.Public)]
    [InlineData("::ffff:8.8.8.8", AddressKind.Public)]
    [InlineData("2606:4700:4700::1111", AddressKind.Public)]
    public void Classify_Address_IsItsKind(string address, AddressKind expected) => Assert.Equal(expected, AddressRules.Classify(IPAddress.Parse(address)));

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("10.0.0.1")]
    [InlineData("100.64.0.1")]
    [InlineData("fe80::1")]
    public void IsAllowed_PrivateAddress_OnlyWhenServiceAllowsPrivate(string address)
    {
        Assert.False(AddressRules.IsAllowed(IPAddress.Parse(address), allowPrivateNetwork: false));
        Assert.True(AddressRules.IsAllowed(IPAddress.Parse(address), allowPrivateNetwork: true));
    }

    [Theory]
    [InlineData("169.254.169.254")]
    [InlineData("0.0.0.0")]
    [InlineData("224.0.0.1")]
    public void IsAllowed_MetadataOrUnroutable_NeverEvenWithPrivate(string address) =>
        Assert.False(AddressRules.IsAllowed(IPAddress.Parse(address), allowPrivateNetwork: true));

    [Theory]
    [InlineData("metadata")]
    [InlineData("metadata.google.internal")]
    [InlineData("METADATA.google.internal.")]
    public void IsMetadataHost_KnownMetadataName_IsTrue(string host) => Assert.True(AddressRules.IsMetadataHost(host));

    [Fact]
    public void IsMetadataHost_OrdinaryName_IsFalse() => Assert.False(AddressRules.IsMetadataHost("api.openai.com"));
}
