// Every GIC instruction and GICv5 system-register access the model implements, in the raw forms
// GNU as 2.40 accepts (it knows no GICv5 mnemonic). tests/iss/test_encodings_toolchain.cpp
// assembles this file with aarch64-linux-gnu-as, feeds each word to the ISS decoder and checks
// it names the operation in its `expect:` tag (at EL2 for VD* and ICH_*, else EL1); `word=` pins
// the word LLVM and Linux use; `undefined` marks an encoding the model must refuse.
    .text
    sys #0, c12, c0, #0                 // expect: GSB_SYS word=d508c01f  (GSB SYS)
    sys #0, c12, c0, #1                 // expect: GSB_ACK word=d508c03f  (GSB ACK)
    sys #0, c12, c1, #0, x0             // expect: CDDIS word=d508c100  (GIC CDDIS)
    sys #0, c12, c1, #1, x0             // expect: CDEN word=d508c120  (GIC CDEN)
    sys #0, c12, c1, #2, x0             // expect: CDPRI word=d508c140  (GIC CDPRI)
    sys #0, c12, c1, #3, x0             // expect: CDAFF word=d508c160  (GIC CDAFF)
    sys #0, c12, c1, #4, x0             // expect: CDPEND word=d508c180  (GIC CDPEND)
    sys #0, c12, c1, #5, x0             // expect: CDRCFG word=d508c1a0  (GIC CDRCFG)
    sys #0, c12, c1, #7                 // expect: CDEOI word=d508c1ff  (GIC CDEOI)
    sys #0, c12, c2, #0, x0             // expect: CDDI word=d508c200  (GIC CDDI)
    sys #0, c12, c2, #1, x0             // expect: CDHM word=d508c220  (GIC CDHM)
    sysl x0, #0, c12, c3, #0            // expect: CDIA word=d528c300  (GICR CDIA)
    sysl x0, #0, c12, c3, #1            // expect: CDNMIA word=d528c320  (GICR CDNMIA)
    sys #4, c12, c1, #0, x0             // expect: VDDIS  (GIC VDDIS)
    sys #4, c12, c1, #1, x0             // expect: VDEN  (GIC VDEN)
    sys #4, c12, c1, #2, x0             // expect: VDPRI  (GIC VDPRI)
    sys #4, c12, c1, #3, x0             // expect: VDAFF  (GIC VDAFF)
    sys #4, c12, c1, #4, x0             // expect: VDPEND  (GIC VDPEND)
    sys #4, c12, c1, #5, x0             // expect: VDRCFG  (GIC VDRCFG)
    sys #4, c12, c2, #0, x0             // expect: VDDI  (GIC VDDI)
    sys #4, c12, c2, #1, x0             // expect: VDHM  (GIC VDHM)
    sys #0, c12, c3, #0, x0             // expect: CDIA undefined word=d508c300  (the SYS form a later gas gives)
    sys #0, c12, c3, #1, x0             // expect: CDNMIA undefined word=d508c320
    sysl x0, #0, c12, c1, #1            // expect: CDEN undefined  (GIC with SYSL)
    mrs x1, s3_0_c12_c10_0              // expect: ICC_PPI_HMR0_EL1 read
    msr s3_0_c12_c10_0, x1              // expect: ICC_PPI_HMR0_EL1 undefined  (read-only)
    mrs x1, s3_0_c12_c10_1              // expect: ICC_PPI_HMR1_EL1 read
    msr s3_0_c12_c10_1, x1              // expect: ICC_PPI_HMR1_EL1 undefined  (read-only)
    mrs x1, s3_0_c12_c10_2              // expect: ICC_IDR0_EL1 read
    msr s3_0_c12_c10_2, x1              // expect: ICC_IDR0_EL1 undefined  (read-only)
    mrs x1, s3_0_c12_c10_3              // expect: ICC_HPPIR_EL1 read
    msr s3_0_c12_c10_3, x1              // expect: ICC_HPPIR_EL1 undefined  (read-only)
    mrs x1, s3_0_c12_c10_4              // expect: ICC_ICSR_EL1 read
    msr s3_0_c12_c10_4, x1              // expect: ICC_ICSR_EL1
    mrs x1, s3_0_c12_c10_5              // expect: ICC_IAFFIDR_EL1 read
    msr s3_0_c12_c10_5, x1              // expect: ICC_IAFFIDR_EL1 undefined  (read-only)
    mrs x1, s3_0_c12_c10_6              // expect: ICC_PPI_ENABLER0_EL1 read
    msr s3_0_c12_c10_6, x1              // expect: ICC_PPI_ENABLER0_EL1
    mrs x1, s3_0_c12_c10_7              // expect: ICC_PPI_ENABLER1_EL1 read
    msr s3_0_c12_c10_7, x1              // expect: ICC_PPI_ENABLER1_EL1
    mrs x1, s3_0_c12_c13_0              // expect: ICC_PPI_CACTIVER0_EL1 read
    msr s3_0_c12_c13_0, x1              // expect: ICC_PPI_CACTIVER0_EL1
    mrs x1, s3_0_c12_c13_1              // expect: ICC_PPI_CACTIVER1_EL1 read
    msr s3_0_c12_c13_1, x1              // expect: ICC_PPI_CACTIVER1_EL1
    mrs x1, s3_0_c12_c13_2              // expect: ICC_PPI_SACTIVER0_EL1 read
    msr s3_0_c12_c13_2, x1              // expect: ICC_PPI_SACTIVER0_EL1
    mrs x1, s3_0_c12_c13_3              // expect: ICC_PPI_SACTIVER1_EL1 read
    msr s3_0_c12_c13_3, x1              // expect: ICC_PPI_SACTIVER1_EL1
    mrs x1, s3_0_c12_c13_4              // expect: ICC_PPI_CPENDR0_EL1 read
    msr s3_0_c12_c13_4, x1              // expect: ICC_PPI_CPENDR0_EL1
    mrs x1, s3_0_c12_c13_5              // expect: ICC_PPI_CPENDR1_EL1 read
    msr s3_0_c12_c13_5, x1              // expect: ICC_PPI_CPENDR1_EL1
    mrs x1, s3_0_c12_c13_6              // expect: ICC_PPI_SPENDR0_EL1 read
    msr s3_0_c12_c13_6, x1              // expect: ICC_PPI_SPENDR0_EL1
    mrs x1, s3_0_c12_c13_7              // expect: ICC_PPI_SPENDR1_EL1 read
    msr s3_0_c12_c13_7, x1              // expect: ICC_PPI_SPENDR1_EL1
    mrs x1, s3_0_c12_c14_0              // expect: ICC_PPI_PRIORITYR0_EL1 read
    msr s3_0_c12_c14_0, x1              // expect: ICC_PPI_PRIORITYR0_EL1
    mrs x1, s3_0_c12_c14_1              // expect: ICC_PPI_PRIORITYR1_EL1 read
    msr s3_0_c12_c14_1, x1              // expect: ICC_PPI_PRIORITYR1_EL1
    mrs x1, s3_0_c12_c14_2              // expect: ICC_PPI_PRIORITYR2_EL1 read
    msr s3_0_c12_c14_2, x1              // expect: ICC_PPI_PRIORITYR2_EL1
    mrs x1, s3_0_c12_c14_3              // expect: ICC_PPI_PRIORITYR3_EL1 read
    msr s3_0_c12_c14_3, x1              // expect: ICC_PPI_PRIORITYR3_EL1
    mrs x1, s3_0_c12_c14_4              // expect: ICC_PPI_PRIORITYR4_EL1 read
    msr s3_0_c12_c14_4, x1              // expect: ICC_PPI_PRIORITYR4_EL1
    mrs x1, s3_0_c12_c14_5              // expect: ICC_PPI_PRIORITYR5_EL1 read
    msr s3_0_c12_c14_5, x1              // expect: ICC_PPI_PRIORITYR5_EL1
    mrs x1, s3_0_c12_c14_6              // expect: ICC_PPI_PRIORITYR6_EL1 read
    msr s3_0_c12_c14_6, x1              // expect: ICC_PPI_PRIORITYR6_EL1
    mrs x1, s3_0_c12_c14_7              // expect: ICC_PPI_PRIORITYR7_EL1 read
    msr s3_0_c12_c14_7, x1              // expect: ICC_PPI_PRIORITYR7_EL1
    mrs x1, s3_0_c12_c15_0              // expect: ICC_PPI_PRIORITYR8_EL1 read
    msr s3_0_c12_c15_0, x1              // expect: ICC_PPI_PRIORITYR8_EL1
    mrs x1, s3_0_c12_c15_1              // expect: ICC_PPI_PRIORITYR9_EL1 read
    msr s3_0_c12_c15_1, x1              // expect: ICC_PPI_PRIORITYR9_EL1
    mrs x1, s3_0_c12_c15_2              // expect: ICC_PPI_PRIORITYR10_EL1 read
    msr s3_0_c12_c15_2, x1              // expect: ICC_PPI_PRIORITYR10_EL1
    mrs x1, s3_0_c12_c15_3              // expect: ICC_PPI_PRIORITYR11_EL1 read
    msr s3_0_c12_c15_3, x1              // expect: ICC_PPI_PRIORITYR11_EL1
    mrs x1, s3_0_c12_c15_4              // expect: ICC_PPI_PRIORITYR12_EL1 read
    msr s3_0_c12_c15_4, x1              // expect: ICC_PPI_PRIORITYR12_EL1
    mrs x1, s3_0_c12_c15_5              // expect: ICC_PPI_PRIORITYR13_EL1 read
    msr s3_0_c12_c15_5, x1              // expect: ICC_PPI_PRIORITYR13_EL1
    mrs x1, s3_0_c12_c15_6              // expect: ICC_PPI_PRIORITYR14_EL1 read
    msr s3_0_c12_c15_6, x1              // expect: ICC_PPI_PRIORITYR14_EL1
    mrs x1, s3_0_c12_c15_7              // expect: ICC_PPI_PRIORITYR15_EL1 read
    msr s3_0_c12_c15_7, x1              // expect: ICC_PPI_PRIORITYR15_EL1
    mrs x1, s3_1_c12_c0_0               // expect: ICC_APR_EL1 read
    msr s3_1_c12_c0_0, x1               // expect: ICC_APR_EL1
    mrs x1, s3_1_c12_c0_1               // expect: ICC_CR0_EL1 read
    msr s3_1_c12_c0_1, x1               // expect: ICC_CR0_EL1
    mrs x1, s3_1_c12_c0_2               // expect: ICC_PCR_EL1 read
    msr s3_1_c12_c0_2, x1               // expect: ICC_PCR_EL1
    mrs x1, s3_1_c12_c0_3               // expect: ICC_HAPR_EL1 read
    msr s3_1_c12_c0_3, x1               // expect: ICC_HAPR_EL1 undefined  (read-only)
    mrs x1, s3_4_c12_c8_4               // expect: ICH_APR_EL2 read
    msr s3_4_c12_c8_4, x1               // expect: ICH_APR_EL2
    mrs x1, s3_4_c12_c10_0              // expect: ICH_PPI_DVIR0_EL2 read
    msr s3_4_c12_c10_0, x1              // expect: ICH_PPI_DVIR0_EL2
    mrs x1, s3_4_c12_c10_1              // expect: ICH_PPI_DVIR1_EL2 read
    msr s3_4_c12_c10_1, x1              // expect: ICH_PPI_DVIR1_EL2
    mrs x1, s3_4_c12_c10_2              // expect: ICH_PPI_ENABLER0_EL2 read
    msr s3_4_c12_c10_2, x1              // expect: ICH_PPI_ENABLER0_EL2
    mrs x1, s3_4_c12_c10_3              // expect: ICH_PPI_ENABLER1_EL2 read
    msr s3_4_c12_c10_3, x1              // expect: ICH_PPI_ENABLER1_EL2
    mrs x1, s3_4_c12_c10_4              // expect: ICH_PPI_PENDR0_EL2 read
    msr s3_4_c12_c10_4, x1              // expect: ICH_PPI_PENDR0_EL2
    mrs x1, s3_4_c12_c10_5              // expect: ICH_PPI_PENDR1_EL2 read
    msr s3_4_c12_c10_5, x1              // expect: ICH_PPI_PENDR1_EL2
    mrs x1, s3_4_c12_c10_6              // expect: ICH_PPI_ACTIVER0_EL2 read
    msr s3_4_c12_c10_6, x1              // expect: ICH_PPI_ACTIVER0_EL2
    mrs x1, s3_4_c12_c10_7              // expect: ICH_PPI_ACTIVER1_EL2 read
    msr s3_4_c12_c10_7, x1              // expect: ICH_PPI_ACTIVER1_EL2
    mrs x1, s3_4_c12_c14_0              // expect: ICH_PPI_PRIORITYR0_EL2 read
    msr s3_4_c12_c14_0, x1              // expect: ICH_PPI_PRIORITYR0_EL2
    mrs x1, s3_4_c12_c14_1              // expect: ICH_PPI_PRIORITYR1_EL2 read
    msr s3_4_c12_c14_1, x1              // expect: ICH_PPI_PRIORITYR1_EL2
    mrs x1, s3_4_c12_c14_2              // expect: ICH_PPI_PRIORITYR2_EL2 read
    msr s3_4_c12_c14_2, x1              // expect: ICH_PPI_PRIORITYR2_EL2
    mrs x1, s3_4_c12_c14_3              // expect: ICH_PPI_PRIORITYR3_EL2 read
    msr s3_4_c12_c14_3, x1              // expect: ICH_PPI_PRIORITYR3_EL2
    mrs x1, s3_4_c12_c14_4              // expect: ICH_PPI_PRIORITYR4_EL2 read
    msr s3_4_c12_c14_4, x1              // expect: ICH_PPI_PRIORITYR4_EL2
    mrs x1, s3_4_c12_c14_5              // expect: ICH_PPI_PRIORITYR5_EL2 read
    msr s3_4_c12_c14_5, x1              // expect: ICH_PPI_PRIORITYR5_EL2
    mrs x1, s3_4_c12_c14_6              // expect: ICH_PPI_PRIORITYR6_EL2 read
    msr s3_4_c12_c14_6, x1              // expect: ICH_PPI_PRIORITYR6_EL2
    mrs x1, s3_4_c12_c14_7              // expect: ICH_PPI_PRIORITYR7_EL2 read
    msr s3_4_c12_c14_7, x1              // expect: ICH_PPI_PRIORITYR7_EL2
    mrs x1, s3_4_c12_c15_0              // expect: ICH_PPI_PRIORITYR8_EL2 read
    msr s3_4_c12_c15_0, x1              // expect: ICH_PPI_PRIORITYR8_EL2
    mrs x1, s3_4_c12_c15_1              // expect: ICH_PPI_PRIORITYR9_EL2 read
    msr s3_4_c12_c15_1, x1              // expect: ICH_PPI_PRIORITYR9_EL2
    mrs x1, s3_4_c12_c15_2              // expect: ICH_PPI_PRIORITYR10_EL2 read
    msr s3_4_c12_c15_2, x1              // expect: ICH_PPI_PRIORITYR10_EL2
    mrs x1, s3_4_c12_c15_3              // expect: ICH_PPI_PRIORITYR11_EL2 read
    msr s3_4_c12_c15_3, x1              // expect: ICH_PPI_PRIORITYR11_EL2
    mrs x1, s3_4_c12_c15_4              // expect: ICH_PPI_PRIORITYR12_EL2 read
    msr s3_4_c12_c15_4, x1              // expect: ICH_PPI_PRIORITYR12_EL2
    mrs x1, s3_4_c12_c15_5              // expect: ICH_PPI_PRIORITYR13_EL2 read
    msr s3_4_c12_c15_5, x1              // expect: ICH_PPI_PRIORITYR13_EL2
    mrs x1, s3_4_c12_c15_6              // expect: ICH_PPI_PRIORITYR14_EL2 read
    msr s3_4_c12_c15_6, x1              // expect: ICH_PPI_PRIORITYR14_EL2
    mrs x1, s3_4_c12_c15_7              // expect: ICH_PPI_PRIORITYR15_EL2 read
    msr s3_4_c12_c15_7, x1              // expect: ICH_PPI_PRIORITYR15_EL2
    mrs x1, s3_4_c12_c8_5               // expect: ICH_HPPIR_EL2 read
    msr s3_4_c12_c8_5, x1               // expect: ICH_HPPIR_EL2 undefined  (read-only)
    mrs x1, s3_4_c12_c9_4               // expect: ICH_HFGRTR_EL2 read
    msr s3_4_c12_c9_4, x1               // expect: ICH_HFGRTR_EL2
    mrs x1, s3_4_c12_c9_6               // expect: ICH_HFGWTR_EL2 read
    msr s3_4_c12_c9_6, x1               // expect: ICH_HFGWTR_EL2
    mrs x1, s3_4_c12_c9_7               // expect: ICH_HFGITR_EL2 read
    msr s3_4_c12_c9_7, x1               // expect: ICH_HFGITR_EL2
    mrs x1, s3_4_c12_c11_6              // expect: ICH_CONTEXTR_EL2 read
    msr s3_4_c12_c11_6, x1              // expect: ICH_CONTEXTR_EL2
    mrs x1, s3_4_c12_c11_7              // expect: ICH_VMCR_EL2 read
    msr s3_4_c12_c11_7, x1              // expect: ICH_VMCR_EL2
