using Natter.Chaos;

namespace Natter.EndToEnd.Tests.Chaos;

/// <summary>The checker on hand-written logs: each promise it guards is broken once, and it must say so.</summary>
public sealed class HistoryCheckerTests
{
    // alice has two devices, bob one; one chat of both.
    private static readonly ChaosTopology Topology = new(
        new Dictionary<string, string> { ["alice/c0"] = "alice", ["alice/c1"] = "alice", ["bob/c0"] = "bob" },
        new Dictionary<string, IReadOnlyList<string>> { ["chat"] = ["alice", "bob"] });

    private static SendAttempt Ack(string cmid, string messageId, long seq, double at = 100, string device = "alice/c0") =>
        new(cmid, "chat", device, 1, at - 10, at, SendOutcome.Success, messageId, seq, null);

    private static Delivery Got(string device, string messageId, long seq, string cmid, double at = 200) =>
        new(device, "chat", messageId, seq, cmid, at);

    private static ChaosReport Check(IEnumerable<SendAttempt> attempts, IEnumerable<Delivery> deliveries, IEnumerable<FaultWindow>? faults = null) =>
        HistoryChecker.Check(new ChaosLog([.. attempts], [.. deliveries], [.. faults ?? []], new Dictionary<string, int>()), Topology);

    [Fact]
    public void A_clean_history_passes_and_the_sending_device_is_not_expected_to_receive_its_own_message()
    {
        var report = Check([Ack("m1", "id1", 1)], [Got("alice/c1", "id1", 1, "m1"), Got("bob/c0", "id1", 1, "m1")]);

        Assert.True(report.Passed, report.Describe());
        Assert.Equal(1, report.Acknowledged);
    }

    [Fact]
    public void An_acknowledged_message_missing_from_one_device_is_lost_with_its_device_and_fault()
    {
        var report = Check([Ack("m1", "id1", 1, at: 1500)], [Got("bob/c0", "id1", 1, "m1")],
            [new FaultWindow("kill -9 redis-server", 1000, 2000, true, "")]);

        var lost = Assert.Single(report.Lost);
        Assert.Equal(("id1", "alice/c1", "kill -9 redis-server"), (lost.MessageId, lost.Device, lost.DuringFault));
        Assert.False(report.Passed);
    }

    [Fact]
    public void Two_messages_with_one_seq_in_a_chat_are_a_duplicate_seq()
    {
        var report = Check([Ack("m1", "id1", 1), Ack("m2", "id2", 1, device: "bob/c0")],
            [Got("alice/c1", "id1", 1, "m1"), Got("bob/c0", "id1", 1, "m1"), Got("alice/c0", "id2", 1, "m2"), Got("alice/c1", "id2", 1, "m2")]);

        var duplicate = Assert.Single(report.DuplicateSeqs);
        Assert.Equal(["id1", "id2"], duplicate.MessageIds.Order());
    }

    [Fact]
    public void A_device_that_gets_seq_2_before_seq_1_is_an_order_violation()
    {
        var report = Check([Ack("m1", "id1", 1), Ack("m2", "id2", 2)],
            [Got("bob/c0", "id2", 2, "m2", at: 200), Got("bob/c0", "id1", 1, "m1", at: 300),
             Got("alice/c1", "id1", 1, "m1", at: 200), Got("alice/c1", "id2", 2, "m2", at: 300)]);

        var violation = Assert.Single(report.OrderViolations);
        Assert.Equal(("bob/c0", 2L, 1L), (violation.Device, violation.PreviousSeq, violation.Seq));
    }

    [Fact]
    public void A_FAILURE_answer_whose_message_was_delivered_is_a_false_failure()
    {
        var failure = new SendAttempt("m1", "chat", "alice/c0", 1, 0, 10, SendOutcome.Failure, null, null, "not_a_member");

        var report = Check([failure], [Got("bob/c0", "id1", 1, "m1")]);

        Assert.Equal("m1", Assert.Single(report.FalseFailures).ClientMessageId);
        Assert.False(report.Passed);
    }

    [Fact]
    public void One_clientMessageId_stored_under_two_messageIds_is_a_double_store()
    {
        var report = Check([Ack("m1", "id1", 1)],
            [Got("alice/c1", "id1", 1, "m1"), Got("bob/c0", "id1", 1, "m1"), Got("bob/c0", "id9", 2, "m1")]);

        Assert.Equal(["id1", "id9"], Assert.Single(report.DoubleStores).MessageIds.Order());
    }

    [Fact]
    public void Availability_counts_the_attempts_started_inside_a_fault_window()
    {
        var during = new[]
        {
            new SendAttempt("m1", "chat", "alice/c0", 1, 1100, 1200, SendOutcome.Error, null, null, "unavailable"),
            new SendAttempt("m1", "chat", "alice/c0", 2, 1500, 1600, SendOutcome.Success, "id1", 1, null),
        };

        var report = Check(during, [Got("alice/c1", "id1", 1, "m1"), Got("bob/c0", "id1", 1, "m1")],
            [new FaultWindow("kill -9 gateway-a + sidecar", 1000, 2000, true, "")]);

        var availability = Assert.Single(report.Availability);
        Assert.Equal((2, 1), (availability.Attempts, availability.Successes));
        Assert.Equal(0.6, availability.FirstSuccessAfterSeconds, 3);
        Assert.Equal("Error unavailable x1", availability.OtherAnswers);
        Assert.Equal(0, report.CalmMessages); // its first attempt was inside the fault: not a calm latency sample
    }

    [Fact]
    public void A_fault_the_system_did_not_recover_from_fails_the_run()
    {
        var report = Check([], [], [new FaultWindow("kill -9 gateway-a + sidecar", 0, 1000, Recovered: false, "not restarted")]);

        Assert.False(report.Passed);
        Assert.Contains("NOT RECOVERED", report.Describe(), StringComparison.Ordinal);
    }
}
