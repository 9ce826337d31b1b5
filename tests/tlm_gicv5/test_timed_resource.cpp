// The timed resource (tlm_gicv5/timed_resource.h) on its own: first come, first served in
// simulated time whatever order the requests reach it in, its servers, and its statistics.
// Nothing is simulated here: sc_time_stamp() stays 0.
#include "tlm_gicv5/timed_resource.h"

#include <gtest/gtest.h>

#include <vector>

using gicv5::timed_resource;
using sc_core::SC_NS;
using sc_core::sc_time;

namespace {
sc_time ns(double v) { return sc_time(v, SC_NS); }

// Records what the resource reports to an observer.
struct recorder : gicv5::resource_observer {
    std::vector<sc_time> waits;
    std::vector<std::pair<sc_time, unsigned>> depths;
    void waited(unsigned, const sc_time& w) override { waits.push_back(w); }
    void depth_changed(unsigned, const sc_time& at, unsigned d) override {
        depths.emplace_back(at, d);
    }
};
} // namespace

TEST(TimedResource, ALoneRequestIsServedAtOnce) {
    timed_resource r("r", 1);
    const timed_resource::grant g = r.acquire(ns(100), ns(30));
    EXPECT_EQ(g.wait, sc_time());
    EXPECT_EQ(g.delay(), ns(30));
}

TEST(TimedResource, RequestsArrivingTogetherQueueInTurn) {
    timed_resource r("r", 1);
    EXPECT_EQ(r.acquire(ns(0), ns(100)).wait, ns(0));
    EXPECT_EQ(r.acquire(ns(0), ns(100)).wait, ns(100));
    EXPECT_EQ(r.acquire(ns(50), ns(100)).wait, ns(150));
    r.finish();
    EXPECT_EQ(r.stats().requests, 3u);
    EXPECT_EQ(r.stats().waited, 2u);
    EXPECT_EQ(r.stats().wait_sum, ns(250));
    EXPECT_EQ(r.stats().wait_max, ns(150));
    EXPECT_EQ(r.stats().busy, ns(300));
}

TEST(TimedResource, TwoServersServeTwoRequestsAtOnce) {
    timed_resource r("r", 2);
    EXPECT_EQ(r.acquire(ns(0), ns(100)).wait, ns(0));
    EXPECT_EQ(r.acquire(ns(0), ns(100)).wait, ns(0));
    EXPECT_EQ(r.acquire(ns(0), ns(100)).wait, ns(100));
    // The third took the server that freed first; the fourth the other one.
    EXPECT_EQ(r.acquire(ns(10), ns(100)).wait, ns(90));
}

TEST(TimedResource, WithoutALimitNothingQueues) {
    timed_resource r("r", 0);
    for (int i = 0; i < 10; ++i)
        EXPECT_EQ(r.acquire(ns(0), ns(100)).wait, ns(0));
    r.finish();
    EXPECT_EQ(r.stats().requests, 10u);
    EXPECT_EQ(r.stats().waited, 0u);
}

TEST(TimedResource, AnEarlierRequestThatArrivesLaterIsServedFirst) {
    // A PE that ran ahead asks for 200 ns first; a PE behind it then asks for 100 ns. First come,
    // first served in simulated time: the second is not delayed by the first, and the schedule
    // moves the first behind it (too late for its requester, which has gone on: the shortfall).
    timed_resource r("r", 1);
    EXPECT_EQ(r.acquire(ns(200), ns(150)).wait, ns(0));
    EXPECT_EQ(r.acquire(ns(100), ns(150)).wait, ns(0));
    // A third, later than both, queues behind both as the schedule has them now.
    EXPECT_EQ(r.acquire(ns(210), ns(150)).wait, ns(190)); // 250 + 150 = 400
    r.finish();
    EXPECT_EQ(r.stats().shifted, 1u); // the first, granted [200, 350), is at [250, 400) now
    EXPECT_EQ(r.stats().shortfall_max, ns(50));
    EXPECT_EQ(r.stats().waited, 1u); // as granted: only the third waited
    EXPECT_EQ(r.stats().wait_sum, ns(190));
    EXPECT_EQ(r.stats().last_end, ns(550));
}

TEST(TimedResource, AnEarlierRequestIsNotDelayedByALaterOneItFitsBefore) {
    timed_resource r("r", 1);
    EXPECT_EQ(r.acquire(ns(500), ns(100)).wait, ns(0));
    EXPECT_EQ(r.acquire(ns(100), ns(100)).wait, ns(0));
    r.finish();
    EXPECT_EQ(r.stats().shifted, 0u);
    EXPECT_EQ(r.stats().waited, 0u);
}

TEST(TimedResource, AnEarlierRequestQueuesBehindTheOnesThatArrivedBeforeIt) {
    timed_resource r("r", 1);
    EXPECT_EQ(r.acquire(ns(0), ns(100)).wait, ns(0));    // [0, 100)
    EXPECT_EQ(r.acquire(ns(300), ns(100)).wait, ns(0));  // [300, 400)
    EXPECT_EQ(r.acquire(ns(50), ns(100)).wait, ns(50));  // behind the first: [100, 200)
    EXPECT_EQ(r.acquire(ns(60), ns(100)).wait, ns(140)); // [200, 300): the one at 300 stays
    r.finish();
    EXPECT_EQ(r.stats().shifted, 0u);
}

TEST(TimedResource, TheScheduleKeepsAFixedNumberOfRequests) {
    timed_resource r("r", 1, false, 16);
    for (int i = 0; i < 100; ++i) {
        r.acquire(ns(10 * i), ns(5));
        ASSERT_LE(r.live(), 16u); // a full ring lets its older half go
    }
    EXPECT_GE(r.live(), 8u);
    // One earlier than the requests the ring has let go is served after all of them.
    EXPECT_EQ(r.acquire(ns(0), ns(5)).wait, ns(995));
    EXPECT_EQ(r.stats().late, 1u);
}

TEST(TimedResource, AQueueDeeperThanTheScheduleHoldsReadsAsItsLimit) {
    // 200 requests at once: the last finds 199 waiting before it, but the schedule keeps only
    // RING / 2 of them for sure; the report reads "MAX_REORDER + 1 or more", never less.
    timed_resource r("r", 1);
    for (int i = 0; i < 200; ++i)
        r.acquire(ns(0), ns(1));
    r.finish();
    EXPECT_EQ(r.stats().max_depth, timed_resource::MAX_REORDER + 1);
    EXPECT_EQ(r.stats().wait_max, ns(199));
}

TEST(TimedResource, ManyLaterRequestsPlaceAnEarlierOneBehindThem) {
    // The work per request is bounded: past MAX_REORDER later requests, an earlier one is served
    // after them, and counted.
    timed_resource r("r", 1);
    for (unsigned i = 0; i <= timed_resource::MAX_REORDER; ++i)
        r.acquire(ns(1000 + i), ns(1));
    const sc_time end = ns(1000 + timed_resource::MAX_REORDER + 1);
    EXPECT_EQ(r.acquire(ns(0), ns(1)).wait, end);
    r.finish();
    EXPECT_EQ(r.stats().late, 1u);
}

TEST(TimedResource, ObserverSeesEachWaitAndTheQueueDepthInTimeOrder) {
    timed_resource r("r", 1);
    recorder rec;
    r.set_observer(&rec, 7);
    r.track_depth(true);
    for (int i = 0; i < 4; ++i)
        r.acquire(ns(0), ns(10)); // waits 0, 10, 20, 30
    r.finish();
    EXPECT_EQ(rec.waits, (std::vector<sc_time>{ns(10), ns(20), ns(30)}));
    EXPECT_EQ(r.stats().max_depth, 3u);
    const std::vector<std::pair<sc_time, unsigned>> depths{
        {ns(0), 3}, {ns(10), 2}, {ns(20), 1}, {ns(30), 0}};
    EXPECT_EQ(rec.depths, depths);
}

TEST(TimedResource, AHoldKnownOnlyAtItsEndIsBookedWhereItWas) {
    // A lock: the taker asks when it may start, holds, and books the hold at its release.
    timed_resource lock("lock", 1);
    EXPECT_EQ(lock.earliest_start(ns(100)), ns(100));
    lock.acquire(ns(100), ns(50), ns(100)); // held [100, 150)
    EXPECT_EQ(lock.earliest_start(ns(120)), ns(150));
    // Asked at 120, taken at 170 (it spun meanwhile), held to 200.
    EXPECT_EQ(lock.acquire(ns(120), ns(30), ns(170)).wait, ns(50));
    EXPECT_EQ(lock.earliest_start(ns(180)), ns(200));
}

TEST(TimedResource, AnOrderedResourceQueuesEachRequestBehindTheLast) {
    timed_resource link("link", 1, true);
    EXPECT_EQ(link.acquire(ns(0), ns(5)).wait, ns(0));
    EXPECT_EQ(link.acquire(ns(2), ns(5)).wait, ns(3));
    EXPECT_EQ(link.acquire(ns(20), ns(5)).wait, ns(0));
    link.finish();
    EXPECT_EQ(link.stats().waited, 1u);
    EXPECT_EQ(link.stats().wait_sum, ns(3));
}
