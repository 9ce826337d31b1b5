// The IRS <-> CPU interface link, a model of the GICv5 stream protocol (reference §2.1, §2.4).
// It is a TLM socket protocol of its own (stream_protocol_types): one stream_payload per message,
// carried by b_transport with the annotated delay of the hop. The IRS and the CPU interfaces never
// call each other's methods.
//
// Upstream, CPU interface -> IRS (IRS target socket, one binding per PE; the binding index is the
// PE's IAFFID). Every upstream message is posted: the PE does not wait for the IRS unless the
// message returns data (request_config, make_resident), in which case it waits for the reply.
//   set_enabled      CDEN/CDDIS (and VD* forms)     value = enable
//   set_priority     CDPRI                          value = priority
//   set_affinity     CDAFF                          value = IAFFID (the vPE ID for a VM)
//   set_pending      CDPEND / VDPEND                value = pending
//   set_handling     CDHM                           value = HM (0 edge, 1 level)
//   deactivate       CDDI                           clears Active
//   request_config   CDRCFG / VDRCFG                reply: result in ICC_ICSR_EL1 form
//   activate         CDIA acknowledged this INTID   reply: ok = false if it was no longer a
//                                                   candidate (the acknowledge then fails)
//   make_resident    ICH_CONTEXTR_EL2.V 0 -> 1      reply: ok = false is the F bit
//   make_nonresident ICH_CONTEXTR_EL2.V 1 -> 0      value = DB (a doorbell is requested),
//                                                   priority = DBPM
// Downstream, IRS -> CPU interface (IRS initiator socket, one binding per PE):
//   set_hppi         the best candidate for the vPE resident on (or the PE with) this IAFFID;
//                    value = 0 is a recall (no HPPI). The CPU interface keeps the latest offer.
#pragma once

#include "tlm_gicv5/intid.h"

#include <tlm>
#include <tlm_utils/multi_passthrough_initiator_socket.h>
#include <tlm_utils/multi_passthrough_target_socket.h>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/passthrough_target_socket.h>
#include <tlm_utils/simple_target_socket.h>

#include <cstdint>

namespace gicv5 {

enum class stream_cmd : uint8_t {
    set_enabled,
    set_priority,
    set_affinity,
    set_pending,
    set_handling,
    deactivate,
    request_config,
    activate,
    make_resident,
    make_nonresident,
    set_hppi,
};
const char* to_string(stream_cmd c);

struct stream_payload {
    stream_cmd cmd = stream_cmd::set_hppi;
    bool virt = false; // virtual domain: vm (and vpe) are meaningful
    uint16_t vm = 0;
    uint16_t vpe = 0;
    intid id;
    uint64_t value = 0;
    bool irm = false;     // set_affinity: 1-of-N routing requested
    uint8_t priority = 0; // set_hppi: priority of the offered INTID
    // Reply fields, set by the target.
    bool ok = true;
    uint64_t result = 0;
};

// An HPPI as the IRS offers it and the CPU interface holds it; valid = false means none.
struct hppi {
    bool valid = false;
    intid id;
    uint8_t prio = 0;
    bool operator==(const hppi& o) const {
        return valid == o.valid && (!valid || (id == o.id && prio == o.prio));
    }
    bool operator!=(const hppi& o) const { return !(*this == o); }
};

struct stream_protocol_types {
    using tlm_payload_type = stream_payload;
    using tlm_phase_type = tlm::tlm_phase;
};

} // namespace gicv5
