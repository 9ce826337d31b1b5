// Optional per-hop latency recorder for the virtual-interrupt path (a measurement hook, not
// architecture). An IRS or CPU interface with no recorder attached (the default) does no extra
// work beyond one null check per site and allocates nothing.
#pragma once

#include <systemc>

#include <cstdint>

namespace gicv5 {

class hop_recorder {
public:
    virtual ~hop_recorder() = default;
    // IRS: a command on VM vm's vIST wrote the ISTE; its read-modify-write took `t`.
    virtual void ist_write(uint16_t vm, const sc_core::sc_time& t) = 0;
    // IRS: a virtual command of VM vm waited `t` for the command engine (queueing).
    virtual void irs_queue(uint16_t /*vm*/, const sc_core::sc_time& /*t*/) {}
    // IRS: a valid HPPI offer for a vPE of VM vm, sent while handling a virtual command, reached
    // the CPU interface `t` after that command arrived at the IRS.
    virtual void hppi_offer(uint16_t vm, const sc_core::sc_time& t) = 0;
    // CPU interface: a guest of VM vm acknowledged an IRS-offered interrupt `t` after the vIRQ
    // line rose.
    virtual void virq_to_cdia(uint16_t vm, const sc_core::sc_time& t) = 0;
};

} // namespace gicv5
