"""Layer 3, transfer policies: what happens to a misrouted call once it is identified.

One module per policy (:mod:`~callsim.policies.cold`, :mod:`~callsim.policies.warm`), the
:class:`~callsim.policies.protocol.TransferPolicy` protocol they follow, and the
:mod:`~callsim.policies.registry` every other layer asks for policy names. Importing this
package hands the scenario schema its source of policy options.
"""

from callsim.policies import registry
from callsim.scenario.transfer import use_policy_options

use_policy_options(registry.options_models)
