"""Carbon accounting standards as pure calculations: fuel-combustion CO2 (IPCC 2006 as the
provincial greenhouse-gas inventory guideline applies it), electricity and heat CO2, and the
national carbon market's allowance balance."""

from ecozone.standards.carbon import ets, ipcc2006

__all__ = ["ets", "ipcc2006"]
