// The screens wait on real (memory) databases: on a busy machine that takes more than a second.
import { configure } from '@testing-library/react-native';

configure({ asyncUtilTimeout: 15000 });
