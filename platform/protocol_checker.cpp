#include "platform/protocol_checker.h"

#include <sstream>

namespace platform {

namespace {
uint64_t g_violations = 0;

void report(const char* who, const std::string& what) {
    ++g_violations;
    SC_REPORT_ERROR(who, ("TLM protocol violation: " + what).c_str());
}
} // namespace

uint64_t protocol_violations() { return g_violations; }

base_protocol_checker::base_protocol_checker(const sc_core::sc_module_name& name)
    : sc_module(name), in("in"), out("out") {
    in.register_b_transport(this, &base_protocol_checker::b_transport);
    in.register_transport_dbg(this, &base_protocol_checker::transport_dbg);
    in.register_get_direct_mem_ptr(this, &base_protocol_checker::get_direct_mem_ptr);
    out.register_invalidate_direct_mem_ptr(this, &base_protocol_checker::invalidate_direct_mem_ptr);
}

void base_protocol_checker::violated(const char* rule, const tlm::tlm_generic_payload& tx) {
    std::ostringstream m;
    m << rule << " (address 0x" << std::hex << tx.get_address() << std::dec << ", "
      << (tx.is_read()    ? "read"
          : tx.is_write() ? "write"
                          : "ignore")
      << ", " << tx.get_data_length() << " bytes)";
    report(name(), m.str());
}

void base_protocol_checker::b_transport(tlm::tlm_generic_payload& tx, sc_core::sc_time& delay) {
    if (tx.get_response_status() != tlm::TLM_INCOMPLETE_RESPONSE)
        violated("b_transport called with a response status other than INCOMPLETE", tx);
    if (!tx.get_data_ptr() || tx.get_data_length() == 0)
        violated("b_transport without data or with a data length of 0", tx);
    if (tx.get_streaming_width() == 0)
        violated("b_transport with a streaming width of 0", tx);
    if (tx.get_byte_enable_ptr() && tx.get_byte_enable_length() == 0)
        violated("byte enables with a byte-enable length of 0", tx);
    if (tx.get_command() != tlm::TLM_READ_COMMAND && tx.get_command() != tlm::TLM_WRITE_COMMAND &&
        tx.get_command() != tlm::TLM_IGNORE_COMMAND)
        violated("an unknown command", tx);
    const tlm::tlm_command cmd = tx.get_command();
    const uint64_t addr = tx.get_address();
    unsigned char* const data = tx.get_data_ptr();
    const unsigned len = tx.get_data_length();
    const unsigned width = tx.get_streaming_width();
    unsigned char* const be = tx.get_byte_enable_ptr();
    const unsigned be_len = tx.get_byte_enable_length();
    const sc_core::sc_time before = delay;
    out->b_transport(tx, delay);
    if (tx.get_response_status() == tlm::TLM_INCOMPLETE_RESPONSE)
        violated("b_transport returned with the response status still INCOMPLETE", tx);
    if (tx.get_command() != cmd || tx.get_address() != addr || tx.get_data_ptr() != data ||
        tx.get_data_length() != len || tx.get_streaming_width() != width ||
        tx.get_byte_enable_ptr() != be || tx.get_byte_enable_length() != be_len)
        violated("b_transport changed an attribute the target must leave alone", tx);
    if (delay < before)
        violated("b_transport decreased the annotated delay", tx);
}

unsigned base_protocol_checker::transport_dbg(tlm::tlm_generic_payload& tx) {
    const tlm::tlm_command cmd = tx.get_command();
    const uint64_t addr = tx.get_address();
    const unsigned n = out->transport_dbg(tx);
    if (n > tx.get_data_length())
        violated("transport_dbg returned more bytes than the data length", tx);
    if (tx.get_command() != cmd || tx.get_address() != addr)
        violated("transport_dbg changed the command or the address", tx);
    return n;
}

bool base_protocol_checker::get_direct_mem_ptr(tlm::tlm_generic_payload& tx, tlm::tlm_dmi& dmi) {
    const uint64_t addr = tx.get_address();
    const bool granted = out->get_direct_mem_ptr(tx, dmi);
    if (tx.get_address() != addr)
        violated("get_direct_mem_ptr changed the address", tx);
    if (!granted)
        return false;
    if (dmi.get_start_address() > dmi.get_end_address() || addr < dmi.get_start_address() ||
        addr > dmi.get_end_address())
        violated("a DMI grant that does not cover the requested address", tx);
    if (!dmi.get_dmi_ptr())
        violated("a DMI grant without a pointer", tx);
    if ((tx.is_read() && !dmi.is_read_allowed()) || (tx.is_write() && !dmi.is_write_allowed()))
        violated("a DMI grant that does not allow the access asked for", tx);
    return true;
}

void base_protocol_checker::invalidate_direct_mem_ptr(sc_dt::uint64 start, sc_dt::uint64 end) {
    if (start > end)
        report(name(), "a DMI invalidation whose start lies after its end");
    in->invalidate_direct_mem_ptr(start, end);
}

stream_protocol_checker::stream_protocol_checker(const sc_core::sc_module_name& name)
    : sc_module(name), in("in"), out("out") {
    in.register_b_transport(this, &stream_protocol_checker::b_transport);
}

void stream_protocol_checker::b_transport(gicv5::stream_payload& p, sc_core::sc_time& delay) {
    const gicv5::stream_payload sent = p;
    const sc_core::sc_time before = delay;
    out->b_transport(p, delay);
    if (p.cmd != sent.cmd || p.virt != sent.virt || p.vm != sent.vm || p.vpe != sent.vpe ||
        p.id != sent.id)
        report(name(), std::string("stream ") + gicv5::to_string(sent.cmd) +
                           ": the target changed the command or what it names");
    if (delay < before)
        report(name(), std::string("stream ") + gicv5::to_string(sent.cmd) +
                           ": the annotated delay decreased");
}

} // namespace platform
