using System.Diagnostics;
using FsCheck;
using FsCheck.Fluent;
using Microsoft.FSharp.Core;
using Natter.Testing.Fuzz;
using Xunit.Abstractions;

namespace Natter.ConnectionGateway.Tests.Fuzz;

/// <summary>Runs one FsCheck property over a fixed number of generated frames with the fixed seed, and reports the figures.</summary>
public static class FuzzRun
{
    public static void Check(ITestOutputHelper output, string name, int count, Gen<byte[]> frames, Func<byte[], bool> property)
    {
        var config = Config.QuickThrowOnFailure
            .WithMaxTest(count)
            .WithStartSize(FrameGenerators.SampleSize)
            .WithEndSize(FrameGenerators.SampleSize)
            .WithReplay(FSharpOption<Replay>.Some(new Replay(new Rnd(FrameGenerators.Seed), FSharpOption<int>.None)))
            .WithQuietOnSuccess(true);
        var ran = 0;
        var clock = Stopwatch.StartNew();
        FsCheck.Check.One(config, Prop.ForAll(frames.ToArbitrary(), bytes =>
        {
            ran++;
            return property(bytes);
        }));
        output.WriteLine($"{name}: {ran} fuzzed frames, 0 crashes, seed 0x{FrameGenerators.Seed:X}, {clock.Elapsed.TotalSeconds:F1} s");
        Assert.True(ran >= count, $"only {ran} of {count} frames ran");
    }
}
